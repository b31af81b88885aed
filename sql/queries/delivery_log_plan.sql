-- Record a planned delivery before the message is handed over: a crash or an outage leaves a
-- `pending` row that the retry finds. Counters and the last send time are kept.
insert into delivery_log
    (quarter, scope, recipient, pdf_sha256, language, revision, file_name, role, channel, status,
     error, attempts, times_sent, message_id, sent_at, updated_at, run_id)
values
    (:quarter, :scope, :recipient, :pdf_sha256, :language, :revision, :file_name, :role, :channel,
     :status, :error, 0, 0, null, null, :updated_at, :run_id)
on conflict (quarter, scope, recipient, pdf_sha256) do update set
    language = excluded.language,
    revision = excluded.revision,
    file_name = excluded.file_name,
    role = excluded.role,
    channel = excluded.channel,
    status = excluded.status,
    error = excluded.error,
    updated_at = excluded.updated_at,
    run_id = excluded.run_id
