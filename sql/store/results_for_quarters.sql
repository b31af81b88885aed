-- Grain: one row per (quarter, scope, metric) of the stored results for some quarters.
with

results_ as (
    select * from results
),

final as (
    select *
    from results_
    where quarter in :quarters
)

select * from final
