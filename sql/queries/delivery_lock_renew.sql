-- Extend our lease between messages; no row updated means the lock was lost (lease expired).
update delivery_locks set
    lease_until = :lease_until
where quarter = :quarter
    and holder = :holder
