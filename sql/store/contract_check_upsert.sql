-- The latest check of a quarter: rules applied and warnings found.
insert into contract_checks (quarter, rules_checked, warnings, run_id)
values (:quarter, :rules_checked, :warnings, :run_id)
on conflict (quarter) do update set
    rules_checked = excluded.rules_checked,
    warnings = excluded.warnings,
    run_id = excluded.run_id
