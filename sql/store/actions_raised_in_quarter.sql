-- Grain: one row per improvement action raised in the quarter, with the status a person set
-- and how many times a person changed it (a run leaves such an action as the person left it).
with

actions as (
    select action_id, quarter_raised, status from improvement_actions
),

events as (
    select action_id, count(*) as edits
    from action_events
    group by action_id
),

final as (
    select
        actions.action_id,
        actions.status,
        coalesce(events.edits, 0) as edits
    from actions
    left join events on events.action_id = actions.action_id
    where actions.quarter_raised = :quarter
)

select * from final
