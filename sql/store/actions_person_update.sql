-- Grain: none (a write). The state a person set on an action (status, who, by when, target).
update improvement_actions set
    status = :status,
    department = :department,
    owner = :owner,
    due_on = :due_on,
    target_value = :target_value
where action_id = :action_id
