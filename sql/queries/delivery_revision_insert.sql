-- Record a revision once its PDF is in place under its final name.
insert into report_revisions
    (quarter, scope, language, revision, inputs_sha256, pdf_sha256, pdf_bytes, reason, made_on,
     run_id)
values
    (:quarter, :scope, :language, :revision, :inputs_sha256, :pdf_sha256, :pdf_bytes, :reason,
     :made_on, :run_id)
on conflict (quarter, scope, language, revision) do update set
    pdf_sha256 = excluded.pdf_sha256,
    pdf_bytes = excluded.pdf_bytes
