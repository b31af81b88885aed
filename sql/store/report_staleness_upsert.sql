-- Grain: none (a write). Marks a later quarter's reports stale because an earlier one moved.
insert into report_staleness (quarter, because_of, reason, run_id)
values (:quarter, :because_of, :reason, :run_id)
on conflict (quarter, because_of) do update set
    reason = excluded.reason,
    run_id = excluded.run_id
