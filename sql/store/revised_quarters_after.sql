-- Grain: one row per quarter after :quarter that has at least one rendered report revision.
with

revisions as (
    select quarter from report_revisions
),

final as (
    select distinct quarter
    from revisions
    where quarter > :quarter
)

select * from final
order by quarter
