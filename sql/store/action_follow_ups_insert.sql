-- Grain: none (a write). An earlier action's measurable target checked in the quarter.
insert into action_follow_ups (quarter, scope, action_id, measured_value, target_status)
values (:quarter, :scope, :action_id, :measured_value, :target_status)
