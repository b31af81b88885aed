-- Grain: one row per kind of ingested source: rows the quarter received, loaded,
-- quarantined and flagged as low quality, over every file loaded into the quarter.
with file_quarters as (
    select kind, rows_loaded, rows_quarantined, rows_flagged
    from ingest_file_quarters
    where quarter = :quarter
),

final as (
    select
        kind,
        sum(rows_loaded) + sum(rows_quarantined) as rows_received,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined,
        sum(rows_flagged) as rows_flagged
    from file_quarters
    group by kind
)

select * from final
order by kind
