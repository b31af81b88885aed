-- Grain: one row per scope (company, branch, channel.<code>): mystery-shop compliance
-- (神秘顾客达标率) = checklist items passed ÷ items checked in visits made in
-- [:quarter_start, :quarter_end). Visits are made to a branch through a channel, never per
-- product line, so product-line scopes have no row.
with results_in_quarter as (
    select
        mystery_shop_visits.branch_code,
        mystery_shop_visits.channel_code,
        mystery_shop_visits.visit_id,
        mystery_shop_results.is_passed
    from src_mystery_shop_results as mystery_shop_results
    inner join src_mystery_shop_visits as mystery_shop_visits
        on mystery_shop_visits.visit_id = mystery_shop_results.visit_id
    where mystery_shop_visits.visited_on >= :quarter_start
        and mystery_shop_visits.visited_on < :quarter_end
),

cells as (
    select
        branch_code,
        channel_code,
        count(*) as items_checked,
        sum(is_passed) as items_passed,
        count(distinct visit_id) as visits
    from results_in_quarter
    group by branch_code, channel_code
),

scoped as (
    select 'company' as scope, items_checked, items_passed, visits from cells
    union all
    select branch_code as scope, items_checked, items_passed, visits from cells
    union all
    select 'channel.' || channel_code as scope, items_checked, items_passed, visits from cells
),

aggregated as (
    select
        scope,
        sum(items_checked) as items_checked,
        sum(items_passed) as items_passed,
        sum(visits) as visits
    from scoped
    group by scope
),

final as (
    select
        scope,
        items_checked,
        items_passed,
        visits,
        case
            when items_checked > 0
                then cast(items_passed as double precision) / items_checked
        end as mystery_shop_compliance
    from aggregated
)

select * from final
order by scope
