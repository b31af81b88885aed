-- Grain: one row per earlier action of a scope followed up in a quarter, with its details.
with

follow_ups as (
    select * from action_follow_ups
),

actions as (
    select * from improvement_actions
),

final as (
    select
        follow_ups.action_id,
        follow_ups.measured_value,
        follow_ups.target_status,
        actions.quarter_raised,
        actions.subject,
        actions.issue,
        actions.department,
        actions.owner,
        actions.due_on,
        actions.target_metric,
        actions.target_value,
        actions.status
    from follow_ups
    inner join actions on actions.action_id = follow_ups.action_id
    where follow_ups.quarter = :quarter
      and follow_ups.scope = :scope
)

select * from final
order by quarter_raised, action_id
