-- Claim one planned row for one delivery attempt, committed before the SMTP transaction.
update delivery_log set
    status = 'sending',
    claimed_by = :holder,
    lease_until = :lease_until,
    message_id = :message_id,
    updated_at = :now
where quarter = :quarter
    and scope = :scope
    and recipient = :recipient
    and pdf_sha256 = :pdf_sha256
    and status in ('pending', 'uncertain')
    and run_id = :run_id
