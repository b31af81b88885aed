-- Grain: one row per scope (company, branch, channel.<code>, product.<code>).
-- Claim closure rate (立案结案率), rolling 12 months [:window_start, :quarter_end): claims
-- registered in the window and closed before its end ÷ claims registered in the window.
-- Claim paid ratio (理赔获赔率): claims closed in [:quarter_start, :quarter_end) with payment ÷
-- claims closed in the quarter. Withdrawn claims (outcome 'withdrawn') are left out of both
-- numerators and denominators; a claim not yet closed has no outcome and stays in the
-- closure-rate denominator. A zero denominator gives a NULL rate, never a division error.
with claims_in_scope as (
    select
        policies.branch_code,
        policies.channel_code,
        policies.product_line_code,
        case
            when claims.registered_on >= :window_start and claims.registered_on < :quarter_end
                then 1 else 0
        end as is_registered_in_window,
        case
            when claims.registered_on >= :window_start and claims.registered_on < :quarter_end
                and claims.closed_on < :quarter_end
                then 1 else 0
        end as is_registered_and_closed_in_window,
        case
            when claims.closed_on >= :quarter_start and claims.closed_on < :quarter_end
                and claims.outcome in ('paid', 'denied')
                then 1 else 0
        end as is_closed_in_quarter,
        case
            when claims.closed_on >= :quarter_start and claims.closed_on < :quarter_end
                and claims.outcome = 'paid'
                then 1 else 0
        end as is_paid_in_quarter
    from src_claims as claims
    inner join src_policies as policies on policies.policy_id = claims.policy_id
    where coalesce(claims.outcome, 'open') <> 'withdrawn'
        and (
            (claims.registered_on >= :window_start and claims.registered_on < :quarter_end)
            or (claims.closed_on >= :quarter_start and claims.closed_on < :quarter_end)
        )
),

cells as (
    select
        branch_code,
        channel_code,
        product_line_code,
        sum(is_registered_in_window) as registered_in_window,
        sum(is_registered_and_closed_in_window) as closed_in_window,
        sum(is_closed_in_quarter) as closed_in_quarter,
        sum(is_paid_in_quarter) as paid_in_quarter
    from claims_in_scope
    group by branch_code, channel_code, product_line_code
),

scoped as (
    select
        'company' as scope,
        registered_in_window, closed_in_window, closed_in_quarter, paid_in_quarter
    from cells
    union all
    select
        branch_code as scope,
        registered_in_window, closed_in_window, closed_in_quarter, paid_in_quarter
    from cells
    union all
    select
        'channel.' || channel_code as scope,
        registered_in_window, closed_in_window, closed_in_quarter, paid_in_quarter
    from cells
    union all
    select
        'product.' || product_line_code as scope,
        registered_in_window, closed_in_window, closed_in_quarter, paid_in_quarter
    from cells
),

aggregated as (
    select
        scope,
        sum(registered_in_window) as registered_in_window,
        sum(closed_in_window) as closed_in_window,
        sum(closed_in_quarter) as closed_in_quarter,
        sum(paid_in_quarter) as paid_in_quarter
    from scoped
    group by scope
),

final as (
    select
        scope,
        registered_in_window,
        closed_in_window,
        case
            when registered_in_window > 0
                then cast(closed_in_window as double precision) / registered_in_window
        end as claim_closure_rate_12m,
        closed_in_quarter,
        paid_in_quarter,
        case
            when closed_in_quarter > 0
                then cast(paid_in_quarter as double precision) / closed_in_quarter
        end as claim_paid_ratio
    from aggregated
)

select * from final
order by scope
