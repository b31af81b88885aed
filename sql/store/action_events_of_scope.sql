-- Grain: one row per change a person made, between two dates, to an action of a scope.
with

events as (
    select * from action_events
),

actions as (
    select action_id, scope, subject from improvement_actions
),

final as (
    select
        events.action_id,
        actions.subject,
        events.event_no,
        events.changed_on,
        events.status,
        events.owner,
        events.due_on,
        events.changes,
        events.note
    from events
    inner join actions on actions.action_id = events.action_id
    where actions.scope = :scope
      and events.changed_on > :since
      and events.changed_on <= :through
)

select * from final
order by changed_on, action_id, event_no
