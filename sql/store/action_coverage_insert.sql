-- Grain: none (a write). A trigger of the quarter covered by an earlier action still open.
insert into action_coverage (quarter, scope, subject, reason, current_value, action_id)
values (:quarter, :scope, :subject, :reason, :current_value, :action_id)
