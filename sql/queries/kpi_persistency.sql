-- Grain: one row per scope (company, branch, channel.<code>, product.<code>,
-- and each branch's own <branch>.channel.<code>, <branch>.product.<code>).
-- 13-month (25-month) persistency (继续率): of regular-premium policies issued in
-- [:cohort13_start, :cohort13_end) ([:cohort25_start, :cohort25_end)) — the quarter 13 (25)
-- months before the reporting quarter — the share in force at month 13 (25) with the premium
-- due there paid within the grace period (metrics.md):
--   * the annual instalment 2 (3) was paid before the reporting quarter's end and no more than
--     :grace_days days after its due date (the grace period, [kpis] persistency_grace_days);
--   * the policy was in force on its month-13 (25) anniversary, issued_on + 13 (25) calendar
--     months: no lapse, surrender or maturity dated before it. Calendar months are compared
--     as year·1200 + month·100 + day, so "t ≥ issued_on + 13 months" is
--     key(t) ≥ key(issued_on) + 1300 on SQLite and PostgreSQL alike (a 31st has no
--     counterpart in a shorter month: the anniversary is then the 1st of the month after).
-- By count, and by premium (each policy weighted by its regular premium premium_cny).
-- A policy issued on a cohort's first day is in it; one issued on the day after its last is not.
with cohort_policies as (
    -- One scan for both cohorts; they lie twelve months apart, so they never overlap.
    select
        branch_code,
        channel_code,
        product_line_code,
        premium_cny,
        case when issued_on >= :cohort13_start then 13 else 25 end as horizon_months
    from src_policies as policies
    where premium_mode = 'regular'
        and (
            (issued_on >= :cohort13_start and issued_on < :cohort13_end)
            or (issued_on >= :cohort25_start and issued_on < :cohort25_end)
        )
),

retained_policies as (
    -- The same cohorts, kept when the instalment due at month 13 (25) is paid. An inner join
    -- (not EXISTS inside a CASE) lets PostgreSQL hash the cohort and scan the payments once;
    -- (policy_id, installment_no) is unique in premium_payments (08_indexes.sql), so a policy
    -- is never counted twice.
    select
        policies.branch_code,
        policies.channel_code,
        policies.product_line_code,
        policies.premium_cny,
        case when policies.issued_on >= :cohort13_start then 13 else 25 end as horizon_months
    from src_policies as policies
    inner join src_premium_payments as premium_payments
        on premium_payments.policy_id = policies.policy_id
        and premium_payments.installment_no
            = case when policies.issued_on >= :cohort13_start then 2 else 3 end
    where policies.premium_mode = 'regular'
        and (
            (policies.issued_on >= :cohort13_start and policies.issued_on < :cohort13_end)
            or (policies.issued_on >= :cohort25_start and policies.issued_on < :cohort25_end)
        )
        and premium_payments.installment_no in (2, 3)
        and premium_payments.paid_on < :quarter_end
        and (date_part('epoch', premium_payments.paid_on)
            - date_part('epoch', premium_payments.due_on)) / 86400.0 <= :grace_days
        and (policies.lapsed_on is null
            or date_part('year', policies.lapsed_on) * 1200 + date_part('month', policies.lapsed_on)
                * 100 + date_part('day', policies.lapsed_on)
            >= date_part('year', policies.issued_on) * 1200 + date_part('month', policies.issued_on)
                * 100 + date_part('day', policies.issued_on)
                + case when policies.issued_on >= :cohort13_start then 1300 else 2500 end)
        and (policies.surrendered_on is null
            or date_part('year', policies.surrendered_on) * 1200
                + date_part('month', policies.surrendered_on) * 100
                + date_part('day', policies.surrendered_on)
            >= date_part('year', policies.issued_on) * 1200 + date_part('month', policies.issued_on)
                * 100 + date_part('day', policies.issued_on)
                + case when policies.issued_on >= :cohort13_start then 1300 else 2500 end)
        and (policies.matured_on is null
            or date_part('year', policies.matured_on) * 1200
                + date_part('month', policies.matured_on) * 100
                + date_part('day', policies.matured_on)
            >= date_part('year', policies.issued_on) * 1200 + date_part('month', policies.issued_on)
                * 100 + date_part('day', policies.issued_on)
                + case when policies.issued_on >= :cohort13_start then 1300 else 2500 end)
),

cohort_groups as (
    select
        branch_code,
        channel_code,
        product_line_code,
        horizon_months,
        count(*) as policies,
        -- Summed in whole fen: an integer sum is exact whatever order the rows arrive in, so
        -- the ratio is the same on every database, plan and source view.
        sum(cast(round(premium_cny * 100) as bigint)) / 100.0 as premium_cny,
        0 as retained,
        0 as retained_premium_cny
    from cohort_policies
    group by branch_code, channel_code, product_line_code, horizon_months
),

retained_groups as (
    select
        branch_code,
        channel_code,
        product_line_code,
        horizon_months,
        0 as policies,
        0 as premium_cny,
        count(*) as retained,
        sum(cast(round(premium_cny * 100) as bigint)) / 100.0 as retained_premium_cny
    from retained_policies
    group by branch_code, channel_code, product_line_code, horizon_months
),

groups as (
    select * from cohort_groups
    union all
    select * from retained_groups
),

cells as (
    select
        branch_code,
        channel_code,
        product_line_code,
        sum(case when horizon_months = 13 then policies else 0 end) as cohort_13,
        sum(case when horizon_months = 13 then retained else 0 end) as retained_13,
        sum(case when horizon_months = 13 then premium_cny else 0 end) as cohort_13_premium,
        sum(case when horizon_months = 13 then retained_premium_cny else 0 end)
            as retained_13_premium,
        sum(case when horizon_months = 25 then policies else 0 end) as cohort_25,
        sum(case when horizon_months = 25 then retained else 0 end) as retained_25,
        sum(case when horizon_months = 25 then premium_cny else 0 end) as cohort_25_premium,
        sum(case when horizon_months = 25 then retained_premium_cny else 0 end)
            as retained_25_premium
    from groups
    group by branch_code, channel_code, product_line_code
),

scoped as (
    select
        'company' as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
    union all
    select
        branch_code as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
    union all
    select
        'channel.' || channel_code as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
    union all
    select
        'product.' || product_line_code as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
    union all
    select
        branch_code || '.channel.' || channel_code as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
    union all
    select
        branch_code || '.product.' || product_line_code as scope,
        cohort_13, retained_13, cohort_13_premium, retained_13_premium,
        cohort_25, retained_25, cohort_25_premium, retained_25_premium
    from cells
),

aggregated as (
    select
        scope,
        sum(cohort_13) as cohort_13,
        sum(retained_13) as retained_13,
        sum(cohort_13_premium) as cohort_13_premium,
        sum(retained_13_premium) as retained_13_premium,
        sum(cohort_25) as cohort_25,
        sum(retained_25) as retained_25,
        sum(cohort_25_premium) as cohort_25_premium,
        sum(retained_25_premium) as retained_25_premium
    from scoped
    group by scope
),

final as (
    select
        scope,
        cohort_13,
        retained_13,
        case
            when cohort_13 > 0 then cast(retained_13 as double precision) / cohort_13
        end as persistency_13_count,
        cohort_13_premium,
        case
            when cohort_13_premium > 0
                then cast(retained_13_premium as double precision)
                    / cast(cohort_13_premium as double precision)
        end as persistency_13_premium,
        cohort_25,
        retained_25,
        case
            when cohort_25 > 0 then cast(retained_25 as double precision) / cohort_25
        end as persistency_25_count,
        cohort_25_premium,
        case
            when cohort_25_premium > 0
                then cast(retained_25_premium as double precision)
                    / cast(cohort_25_premium as double precision)
        end as persistency_25_premium
    from aggregated
)

select * from final
order by scope
