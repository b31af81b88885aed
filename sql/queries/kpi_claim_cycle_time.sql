-- Grain: one row per scope (company, branch, channel.<code>, product.<code>,
-- and each branch's own <branch>.channel.<code>, <branch>.product.<code>): days from report
-- (报案) to payment for claims paid in [:quarter_start, :quarter_end). Mean, median and P90.
-- A claim's branch, channel and product line are its policy's.
-- Percentiles interpolate linearly between ranks, exactly as PostgreSQL's percentile_cont:
-- position h = 1 + (n − 1) p, value = x[floor h] + (h − floor h)(x[floor h + 1] − x[floor h]).
-- Integer division and modulo give floor h and its fraction on SQLite and PostgreSQL alike.
with claims_paid as (
    select
        policies.branch_code,
        policies.channel_code,
        policies.product_line_code,
        (date_part('epoch', claims.paid_on) - date_part('epoch', claims.reported_on)) / 86400.0
            as cycle_days
    from src_claims as claims
    inner join src_policies as policies on policies.policy_id = claims.policy_id
    where claims.outcome = 'paid'
        and claims.paid_on >= :quarter_start
        and claims.paid_on < :quarter_end
),

scoped as (
    select 'company' as scope, cycle_days from claims_paid
    union all
    select branch_code as scope, cycle_days from claims_paid
    union all
    select 'channel.' || channel_code as scope, cycle_days from claims_paid
    union all
    select 'product.' || product_line_code as scope, cycle_days from claims_paid
    union all
    select branch_code || '.channel.' || channel_code as scope, cycle_days
    from claims_paid
    union all
    select branch_code || '.product.' || product_line_code as scope, cycle_days
    from claims_paid
),

ranked as (
    select
        scope,
        cycle_days,
        row_number() over (partition by scope order by cycle_days) as position,
        count(*) over (partition by scope) as claims_paid
    from scoped
),

positioned as (
    select
        scope,
        cycle_days,
        position,
        claims_paid,
        1 + (claims_paid - 1) / 2 as median_rank,
        ((claims_paid - 1) % 2) / 2.0 as median_fraction,
        1 + (claims_paid - 1) * 9 / 10 as p90_rank,
        ((claims_paid - 1) * 9 % 10) / 10.0 as p90_fraction
    from ranked
),

aggregated as (
    select
        scope,
        max(claims_paid) as claims_paid,
        avg(cycle_days) as claim_cycle_days_mean,
        max(median_fraction) as median_fraction,
        max(p90_fraction) as p90_fraction,
        max(case when position = median_rank then cycle_days end) as median_low,
        max(case when position = median_rank + 1 then cycle_days end) as median_high,
        max(case when position = p90_rank then cycle_days end) as p90_low,
        max(case when position = p90_rank + 1 then cycle_days end) as p90_high
    from positioned
    group by scope
),

final as (
    select
        scope,
        claims_paid,
        claim_cycle_days_mean,
        median_low + median_fraction * (coalesce(median_high, median_low) - median_low)
            as claim_cycle_days_median,
        p90_low + p90_fraction * (coalesce(p90_high, p90_low) - p90_low)
            as claim_cycle_days_p90
    from aggregated
)

select * from final
order by scope
