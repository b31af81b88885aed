-- Grain: one row per (scope, headline metric) of a quarter: the figures an e-mail and the
-- reports index show next to each file.
with headline as (
    select
        scope,
        metric,
        value,
        lower_bound,
        upper_bound,
        n,
        flag
    from results
    where quarter = :quarter
        and metric in ('respondents', 'csi', 'nps', 'csat')
),

final as (
    select * from headline
)

select * from final
order by scope, metric
