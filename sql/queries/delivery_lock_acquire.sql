-- Take the quarter's delivery lock if it is free, expired, or already ours (a renewal).
insert into delivery_locks (quarter, holder, lease_until, acquired_at)
values (:quarter, :holder, :lease_until, :now)
on conflict (quarter) do update set
    holder = excluded.holder,
    lease_until = excluded.lease_until,
    acquired_at = excluded.acquired_at
where delivery_locks.lease_until < :now
    or delivery_locks.holder = excluded.holder
