-- Grain: one row per (scope, language, revision) of a quarter with its figures and changes.
with

figures as (
    select * from revision_figures
),

final as (
    select scope, language, revision, figures, changed
    from figures
    where quarter = :quarter
)

select * from final
order by scope, language, revision
