-- The outcome of one attempt for one recipient: delivered, failed (permanent), uncertain (the
-- server may have it) or still pending; the attempt's claim is released.
update delivery_log set
    status = :status,
    error = :error,
    attempts = attempts + 1,
    times_sent = times_sent + :sent,
    interrupted = interrupted + :interrupted,
    message_id = coalesce(:message_id, message_id),
    sent_at = coalesce(:sent_at, sent_at),
    claimed_by = null,
    lease_until = null,
    updated_at = :updated_at,
    run_id = :run_id
where quarter = :quarter
    and scope = :scope
    and recipient = :recipient
    and pdf_sha256 = :pdf_sha256
