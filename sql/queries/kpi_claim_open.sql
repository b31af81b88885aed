-- Grain: one row per scope (company, branch, channel.<code>, product.<code>): claims still
-- open at the quarter's end, and those open longer than the aged threshold
-- ([kpis] claim_aged_days, default 30). The cycle time only sees claims paid in the quarter,
-- so a branch that sits on its slow claims would look fast; this is the other half.
-- Open at the end: reported before :quarter_end and not closed by then (closed_on null or on
-- or after :quarter_end). Aged: reported before :aged_before = :quarter_end − claim_aged_days,
-- i.e. open more than claim_aged_days days at the quarter's end.
-- A claim's branch, channel and product line are its policy's.
with open_claims as (
    select
        policies.branch_code,
        policies.channel_code,
        policies.product_line_code,
        case when claims.reported_on < :aged_before then 1 else 0 end as is_aged
    from src_claims as claims
    inner join src_policies as policies on policies.policy_id = claims.policy_id
    where claims.reported_on < :quarter_end
        and (claims.closed_on is null or claims.closed_on >= :quarter_end)
),

cells as (
    select
        branch_code,
        channel_code,
        product_line_code,
        count(*) as claims_open,
        sum(is_aged) as claims_open_aged
    from open_claims
    group by branch_code, channel_code, product_line_code
),

scoped as (
    select 'company' as scope, claims_open, claims_open_aged from cells
    union all
    select branch_code as scope, claims_open, claims_open_aged from cells
    union all
    select 'channel.' || channel_code as scope, claims_open, claims_open_aged from cells
    union all
    select 'product.' || product_line_code as scope, claims_open, claims_open_aged from cells
),

aggregated as (
    select
        scope,
        sum(claims_open) as claims_open,
        sum(claims_open_aged) as claims_open_aged
    from scoped
    group by scope
),

final as (
    select
        scope,
        claims_open,
        claims_open_aged,
        case
            when claims_open > 0
                then cast(claims_open_aged as double precision) / claims_open
        end as claims_open_aged_share
    from aggregated
)

select * from final
order by scope
