-- Grain: one row per (scope, headline metric) of a quarter: the figures an e-mail and the
-- reports index show next to each file. CSAT's note names the boxes it counts
-- ('top 2 boxes: 9–10 of 10'), so its label follows the [csat] setting it was computed with.
with headline as (
    select
        scope,
        metric,
        value,
        lower_bound,
        upper_bound,
        n,
        flag,
        note
    from results
    where quarter = :quarter
        and metric in ('respondents', 'csi', 'nps', 'csat')
),

final as (
    select * from headline
)

select * from final
order by scope, metric
