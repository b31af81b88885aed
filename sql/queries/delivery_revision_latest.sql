-- Grain: the latest revision of one (quarter, scope, language) report (no row before the first).
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
        and scope = :scope
        and language = :language
),

final as (
    select * from revisions
    where revision = (select max(revision) from revisions)
)

select * from final
