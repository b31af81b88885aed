-- Grain: none (a write). One action proposed for a scope, in the plan's order, with the figure
-- that raised it.
insert into action_proposals (quarter, scope, position, action_id, current_value)
values (:quarter, :scope, :position, :action_id, :current_value)
