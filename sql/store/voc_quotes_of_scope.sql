-- Grain: one row per masked quote of a scope in a quarter, in report order.
with

quotes as (
    select * from voc_quotes
),

final as (
    select position, dimension, sentiment, source, quote_text
    from quotes
    where quarter = :quarter
      and scope = :scope
)

select * from final
order by position
