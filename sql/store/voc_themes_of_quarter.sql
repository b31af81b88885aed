-- Grain: one row per (scope, dimension) feedback theme in a quarter, for the analyst's export.
with

themes as (
    select * from voc_themes
),

final as (
    select scope, dimension, texts, negative, positive, previous, change
    from themes
    where quarter = :quarter
)

select * from final
order by scope, dimension
