-- Grain: one row per action proposed for a scope in a quarter, in the plan's order.
with

proposals as (
    select * from action_proposals
),

actions as (
    select * from improvement_actions
),

final as (
    select
        proposals.position,
        proposals.action_id,
        proposals.current_value,
        actions.subject,
        actions.issue,
        actions.department,
        actions.owner,
        actions.due_on,
        actions.target_metric,
        actions.target_value
    from proposals
    inner join actions on actions.action_id = proposals.action_id
    where proposals.quarter = :quarter
      and proposals.scope = :scope
)

select * from final
order by position
