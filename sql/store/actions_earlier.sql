-- Grain: one row per improvement action to follow up in a quarter: raised before it and
-- since :since, or raised earlier and still open or in progress.
with

actions as (
    select * from improvement_actions
),

final as (
    select *
    from actions
    where quarter_raised < :quarter
      and (quarter_raised >= :since or status in ('open', 'in_progress'))
)

select * from final
order by quarter_raised, action_id
