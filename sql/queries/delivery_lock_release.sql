-- Give the quarter's delivery lock back (only ours).
delete from delivery_locks
where quarter = :quarter
    and holder = :holder
