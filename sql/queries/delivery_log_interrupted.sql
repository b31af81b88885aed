-- Rows another attempt claimed and never settled (it was killed or lost its lease inside the
-- SMTP transaction): the message may have been received; counted, and sent once more.
update delivery_log set
    status = 'uncertain',
    interrupted = interrupted + 1,
    error = :error,
    claimed_by = null,
    lease_until = null,
    updated_at = :now
where quarter = :quarter
    and status = 'sending'
