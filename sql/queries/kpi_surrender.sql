-- Grain: one row per scope (company, branch, channel.<code>, product.<code>).
-- Surrender rate (退保率). The warehouse holds no reserves, so the count basis of docs/metrics.md §5
-- applies: policies surrendered in [:quarter_start, :quarter_end) ÷ policies in force at the
-- start of :quarter_start (issued before it and not lapsed, surrendered or matured before it).
-- Surrender payments of the quarter are returned alongside for the appendix.
with book as (
    select
        branch_code,
        channel_code,
        product_line_code,
        sum(
            case
                when issued_on < :quarter_start
                    and (lapsed_on is null or lapsed_on >= :quarter_start)
                    and (surrendered_on is null or surrendered_on >= :quarter_start)
                    and (matured_on is null or matured_on >= :quarter_start)
                    then 1 else 0
            end
        ) as in_force_at_start,
        sum(
            case
                when surrendered_on >= :quarter_start and surrendered_on < :quarter_end
                    then 1 else 0
            end
        ) as surrendered,
        sum(
            case
                when surrendered_on >= :quarter_start and surrendered_on < :quarter_end
                    then coalesce(surrender_paid_cny, 0) else 0
            end
        ) as surrender_paid_cny
    from src_policies as policies
    where issued_on < :quarter_end
    group by branch_code, channel_code, product_line_code
),

scoped as (
    select 'company' as scope, in_force_at_start, surrendered, surrender_paid_cny from book
    union all
    select branch_code as scope, in_force_at_start, surrendered, surrender_paid_cny from book
    union all
    select
        'channel.' || channel_code as scope, in_force_at_start, surrendered, surrender_paid_cny
    from book
    union all
    select
        'product.' || product_line_code as scope,
        in_force_at_start, surrendered, surrender_paid_cny
    from book
),

aggregated as (
    select
        scope,
        sum(in_force_at_start) as in_force_at_start,
        sum(surrendered) as surrendered,
        sum(surrender_paid_cny) as surrender_paid_cny
    from scoped
    group by scope
),

final as (
    select
        scope,
        in_force_at_start,
        surrendered,
        surrender_paid_cny,
        case
            when in_force_at_start > 0
                then cast(surrendered as double precision) / in_force_at_start
        end as surrender_rate
    from aggregated
)

select * from final
order by scope
