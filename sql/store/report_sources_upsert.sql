-- Grain: none (a write). The sources fingerprint of a revision, replaced when it was re-made.
insert into report_sources (quarter, scope, language, revision, sources_sha256)
values (:quarter, :scope, :language, :revision, :sources_sha256)
on conflict (quarter, scope, language, revision) do update set
    sources_sha256 = excluded.sources_sha256
