-- Grain: one row per change a person made to an action, oldest first.
with

events as (
    select * from action_events
),

final as (
    select
        event_no,
        changed_on,
        changed_by,
        status,
        department,
        owner,
        due_on,
        target_value,
        changes,
        note
    from events
    where action_id = :action_id
)

select * from final
order by event_no
