-- Grain: one row per improvement action raised in the quarter, with the status a person set.
with

actions as (
    select action_id, quarter_raised, status from improvement_actions
),

final as (
    select action_id, status
    from actions
    where quarter_raised = :quarter
)

select * from final
