-- Grain: one row per revision of each (scope, language) report of a quarter, oldest first.
with revisions as (
    select
        quarter,
        scope,
        language,
        revision,
        inputs_sha256,
        pdf_sha256,
        pdf_bytes,
        reason,
        made_on,
        run_id
    from report_revisions
    where quarter = :quarter
),

final as (
    select * from revisions
)

select * from final
order by scope, language, revision
