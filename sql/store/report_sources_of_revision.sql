-- Grain: the sources fingerprint of one revision of a report (no row when not recorded).
with sources as (
    select quarter, scope, language, revision, sources_sha256
    from report_sources
    where quarter = :quarter
        and scope = :scope
        and language = :language
        and revision = :revision
),

final as (
    select * from sources
)

select * from final
