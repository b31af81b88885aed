-- Grain: none (a write). Refreshes a proposal of the quarter in place; its status stays.
update improvement_actions set
    issue = :issue,
    evidence = :evidence,
    department = :department,
    owner = :owner,
    due_on = :due_on,
    target_metric = :target_metric,
    target_value = :target_value,
    is_higher_better = :is_higher_better
where action_id = :action_id
