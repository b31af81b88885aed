-- Grain: none (a write). A new proposal, open until a person takes it up.
insert into improvement_actions
    (action_id, quarter_raised, scope, subject, issue, evidence, department, owner, due_on,
     target_metric, target_value, is_higher_better, status)
values
    (:action_id, :quarter_raised, :scope, :subject, :issue, :evidence, :department, :owner,
     :due_on, :target_metric, :target_value, :is_higher_better, 'open')
