-- Grain: one row per trigger of a scope in a quarter covered by an open earlier action,
-- with that action's details.
with

coverage as (
    select * from action_coverage
),

actions as (
    select * from improvement_actions
),

final as (
    select
        coverage.subject,
        coverage.reason,
        coverage.current_value,
        coverage.action_id,
        actions.quarter_raised,
        actions.owner,
        actions.due_on,
        actions.status
    from coverage
    inner join actions on actions.action_id = coverage.action_id
    where coverage.quarter = :quarter
      and coverage.scope = :scope
)

select * from final
order by subject
