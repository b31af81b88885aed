-- Grain: one row per (kind, rule): quarantined rows of the quarter's files by the rule broken
-- (a row breaking two rules counts under each).
with entries as (
    select distinct files.kind, quarantine.file_sha256, quarantine.row_number, quarantine.rule
    from ingest_quarantine as quarantine
    inner join ingest_files as files on files.file_sha256 = quarantine.file_sha256
    where quarantine.quarter = :quarter
),

final as (
    select kind, rule, count(*) as rows_quarantined
    from entries
    group by kind, rule
)

select * from final
order by kind, rule
