-- Grain: one row per (quarter, scope, metric). Insert or replace one figure.
insert into results
    (quarter, scope, metric, value, lower_bound, upper_bound, n, n_effective, flag, note,
     run_id)
values
    (:quarter, :scope, :metric, :value, :lower_bound, :upper_bound, :n, :n_effective, :flag,
     :note, :run_id)
on conflict (quarter, scope, metric) do update set
    value = excluded.value,
    lower_bound = excluded.lower_bound,
    upper_bound = excluded.upper_bound,
    n = excluded.n,
    n_effective = excluded.n_effective,
    flag = excluded.flag,
    note = excluded.note,
    run_id = excluded.run_id
