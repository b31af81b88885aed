-- Grain: one row per (quarter, scope, metric) of the stored results for some quarters,
-- all scopes when :all_scopes = 1, else those in :scopes.
with

results_ as (
    select * from results
),

final as (
    select *
    from results_
    where quarter in :quarters
      and (:all_scopes = 1 or scope in :scopes)
)

select * from final
