-- Record a planned delivery before the message is handed over: a crash or an outage leaves a
-- `pending` row that the retry finds. Counters, the last send time and the Message-ID are kept
-- (an interrupted message is resent under the same id). The caller holds the quarter's lock.
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
    status = case
        when delivery_log.status = 'uncertain' and excluded.status = 'pending' then 'uncertain'
        else excluded.status
    end,
    error = case
        when delivery_log.status = 'uncertain' and excluded.status = 'pending'
            then delivery_log.error
        else excluded.error
    end,
    updated_at = excluded.updated_at,
    run_id = excluded.run_id
