-- Grain: one row per improvement action, with how many times a person changed it and when last.
with

actions as (
    select * from improvement_actions
),

events as (
    select action_id, count(*) as edits, max(changed_on) as last_changed_on
    from action_events
    group by action_id
),

final as (
    select
        actions.action_id,
        actions.quarter_raised,
        actions.scope,
        actions.subject,
        actions.issue,
        actions.department,
        actions.owner,
        actions.due_on,
        actions.target_metric,
        actions.target_value,
        actions.is_higher_better,
        actions.status,
        coalesce(events.edits, 0) as edits,
        events.last_changed_on
    from actions
    left join events on events.action_id = actions.action_id
)

select * from final
order by quarter_raised, scope, action_id
