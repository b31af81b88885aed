-- Grain: one row per (dimension) feedback theme of a scope in a quarter.
with

themes as (
    select * from voc_themes
),

final as (
    select dimension, texts, negative, positive, previous, change
    from themes
    where quarter = :quarter
      and scope = :scope
)

select * from final
