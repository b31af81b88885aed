-- Grain: one row per scope (company, branch, channel.<code>, product.<code>,
-- and each branch's own <branch>.channel.<code>, <branch>.product.<code>).
-- Complaint rate (万张保单投诉量): complaints received in [:quarter_start, :quarter_end) ÷
-- (policies in force at the end of the quarter's last day / 10,000).
-- Complaints per premium (亿元保费投诉量): the same complaints ÷ (premium of the last four
-- quarters / 100,000,000). The premium basis is a setting ([kpis] premium_basis, bound as
-- :premium_basis): 'written' (default) = premium booked, instalments falling due in
-- [:premium_window_start, :quarter_end) whether or not paid yet; 'collected' = cash received,
-- instalments paid in the window.
-- A complaint's branch is complaints.branch_code; its channel is complaints.channel_code, else its
-- policy's; its product line is its policy's (a complaint without a policy has no product line
-- and counts for the company, its branch and channel only).
-- Every source is first reduced to (branch, channel, product line) cells, so the millions of
-- policies and payments are aggregated once and the scope roll-up runs over a few hundred rows.
with complaints_received as (
    select
        complaints.branch_code,
        coalesce(complaints.channel_code, policies.channel_code) as channel_code,
        policies.product_line_code,
        count(*) as complaints_received
    from src_complaints as complaints
    left join src_policies as policies on policies.policy_id = complaints.policy_id
    where complaints.received_on >= :quarter_start
        and complaints.received_on < :quarter_end
    group by
        complaints.branch_code,
        coalesce(complaints.channel_code, policies.channel_code),
        policies.product_line_code
),

policies_in_force as (
    select
        branch_code,
        channel_code,
        product_line_code,
        count(*) as policies_in_force
    from src_policies as policies
    where issued_on < :quarter_end
        and (lapsed_on is null or lapsed_on >= :quarter_end)
        and (surrendered_on is null or surrendered_on >= :quarter_end)
        and (matured_on is null or matured_on >= :quarter_end)
    group by branch_code, channel_code, product_line_code
),

written_premium as (
    select
        policies.branch_code,
        policies.channel_code,
        policies.product_line_code,
        -- In whole fen: an exact integer sum, the same whatever order the rows arrive in.
        sum(
            case
                when :premium_basis = 'collected'
                    and premium_payments.paid_on >= :premium_window_start
                    and premium_payments.paid_on < :quarter_end
                    then cast(round(premium_payments.amount_cny * 100) as bigint)
                when :premium_basis = 'written'
                    and premium_payments.due_on >= :premium_window_start
                    and premium_payments.due_on < :quarter_end
                    then cast(round(premium_payments.amount_cny * 100) as bigint)
                else 0
            end
        ) / 100.0 as written_premium_cny
    from src_premium_payments as premium_payments
    inner join src_policies as policies on policies.policy_id = premium_payments.policy_id
    where (premium_payments.paid_on >= :premium_window_start
            and premium_payments.paid_on < :quarter_end)
        or (premium_payments.due_on >= :premium_window_start
            and premium_payments.due_on < :quarter_end)
    group by policies.branch_code, policies.channel_code, policies.product_line_code
),

cells as (
    select
        branch_code, channel_code, product_line_code,
        complaints_received,
        0 as policies_in_force,
        0 as written_premium_cny
    from complaints_received
    union all
    select
        branch_code, channel_code, product_line_code,
        0 as complaints_received,
        policies_in_force,
        0 as written_premium_cny
    from policies_in_force
    union all
    select
        branch_code, channel_code, product_line_code,
        0 as complaints_received,
        0 as policies_in_force,
        written_premium_cny
    from written_premium
),

scoped as (
    select
        'company' as scope, complaints_received, policies_in_force, written_premium_cny
    from cells
    union all
    select
        branch_code as scope, complaints_received, policies_in_force, written_premium_cny
    from cells
    union all
    select
        'channel.' || channel_code as scope,
        complaints_received, policies_in_force, written_premium_cny
    from cells
    union all
    select
        'product.' || product_line_code as scope,
        complaints_received, policies_in_force, written_premium_cny
    from cells
    union all
    select
        branch_code || '.channel.' || channel_code as scope,
        complaints_received, policies_in_force, written_premium_cny
    from cells
    union all
    select
        branch_code || '.product.' || product_line_code as scope,
        complaints_received, policies_in_force, written_premium_cny
    from cells
),

aggregated as (
    select
        scope,
        sum(complaints_received) as complaints_received,
        sum(policies_in_force) as policies_in_force,
        sum(written_premium_cny) as written_premium_cny
    from scoped
    where scope is not null
    group by scope
),

final as (
    select
        scope,
        complaints_received,
        policies_in_force,
        case
            when policies_in_force > 0
                then cast(complaints_received as double precision) * 10000 / policies_in_force
        end as complaints_per_10k_policies,
        written_premium_cny,
        case
            when written_premium_cny > 0
                then cast(complaints_received as double precision) * 100000000
                    / cast(written_premium_cny as double precision)
        end as complaints_per_100m_premium
    from aggregated
)

select * from final
order by scope
