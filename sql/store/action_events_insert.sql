-- Grain: none (a write). One change a person made to an action, with the state it left.
insert into action_events
    (action_id, event_no, changed_on, changed_by, status, department, owner, due_on,
     target_value, changes, note)
values
    (:action_id, :event_no, :changed_on, :changed_by, :status, :department, :owner, :due_on,
     :target_value, :changes, :note)
