-- Grain: one row per (quarter, scope, metric) of the stored results for some quarters and scopes.
with

results_ as (
    select * from results
),

final as (
    select *
    from results_
    where quarter in :quarters
      and scope in :scopes
)

select * from final
