-- Grain: one row per earlier quarter whose correction made this quarter's reports stale.
with

marks as (
    select * from report_staleness
),

final as (
    select because_of, reason, run_id
    from marks
    where quarter = :quarter
)

select * from final
order by because_of
