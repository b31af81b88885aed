-- Grain: one row per scope (company, branch, channel.<code>, product.<code>).
-- On-time rate (投诉办理及时率): complaints due in [:quarter_start, :quarter_end) resolved on or
-- before their due date ÷ complaints due in the quarter. complaints.due_on carries the limit:
-- received_on + 15 days, + 30 for complaints flagged complex. A complaint due in the quarter
-- and still unresolved at its end counts in the denominator only.
-- Resolution rate (投诉解决率): complaints received in the quarter and resolved before the
-- quarter's end with an outcome (upheld, partly upheld, not upheld) ÷ complaints received in
-- the quarter and not withdrawn by its end. A withdrawal closes the case without resolving
-- it: withdrawn complaints are counted on their own (complaints_withdrawn), in neither term.
-- Scope columns as in kpi_complaint_volume.sql.
with complaints_in_scope as (
    select
        complaints.branch_code,
        coalesce(complaints.channel_code, policies.channel_code) as channel_code,
        policies.product_line_code,
        case
            when complaints.due_on >= :quarter_start and complaints.due_on < :quarter_end
                then 1 else 0
        end as is_due,
        case
            when complaints.due_on >= :quarter_start and complaints.due_on < :quarter_end
                and complaints.resolved_on <= complaints.due_on
                then 1 else 0
        end as is_on_time,
        case
            when complaints.received_on >= :quarter_start and complaints.received_on < :quarter_end
                then 1 else 0
        end as is_received,
        case
            when complaints.received_on >= :quarter_start and complaints.received_on < :quarter_end
                and complaints.resolved_on < :quarter_end
                and coalesce(complaints.outcome, '') <> 'withdrawn'
                then 1 else 0
        end as is_resolved,
        case
            when complaints.received_on >= :quarter_start and complaints.received_on < :quarter_end
                and complaints.resolved_on < :quarter_end
                and complaints.outcome = 'withdrawn'
                then 1 else 0
        end as is_withdrawn
    from src_complaints as complaints
    left join src_policies as policies on policies.policy_id = complaints.policy_id
    where (complaints.due_on >= :quarter_start and complaints.due_on < :quarter_end)
        or (complaints.received_on >= :quarter_start and complaints.received_on < :quarter_end)
),

cells as (
    select
        branch_code,
        channel_code,
        product_line_code,
        sum(is_due) as complaints_due,
        sum(is_on_time) as complaints_on_time,
        sum(is_received) as complaints_received,
        sum(is_resolved) as complaints_resolved,
        sum(is_withdrawn) as complaints_withdrawn
    from complaints_in_scope
    group by branch_code, channel_code, product_line_code
),

scoped as (
    select
        'company' as scope,
        complaints_due, complaints_on_time, complaints_received, complaints_resolved,
        complaints_withdrawn
    from cells
    union all
    select
        branch_code as scope,
        complaints_due, complaints_on_time, complaints_received, complaints_resolved,
        complaints_withdrawn
    from cells
    union all
    select
        'channel.' || channel_code as scope,
        complaints_due, complaints_on_time, complaints_received, complaints_resolved,
        complaints_withdrawn
    from cells
    union all
    select
        'product.' || product_line_code as scope,
        complaints_due, complaints_on_time, complaints_received, complaints_resolved,
        complaints_withdrawn
    from cells
),

aggregated as (
    select
        scope,
        sum(complaints_due) as complaints_due,
        sum(complaints_on_time) as complaints_on_time,
        sum(complaints_received) as complaints_received,
        sum(complaints_resolved) as complaints_resolved,
        sum(complaints_withdrawn) as complaints_withdrawn
    from scoped
    where scope is not null
    group by scope
),

final as (
    select
        scope,
        complaints_due,
        complaints_on_time,
        case
            when complaints_due > 0
                then cast(complaints_on_time as double precision) / complaints_due
        end as complaint_on_time_rate,
        complaints_received,
        complaints_resolved,
        complaints_withdrawn,
        complaints_received - complaints_withdrawn as complaints_not_withdrawn,
        case
            when complaints_received - complaints_withdrawn > 0
                then cast(complaints_resolved as double precision)
                    / (complaints_received - complaints_withdrawn)
        end as complaint_resolution_rate
    from aggregated
)

select * from final
order by scope
