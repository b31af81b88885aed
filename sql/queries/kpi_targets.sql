-- Grain: one row per (metric, scope, valid_from) target. Every row is returned: etl/grading.py
-- validates valid_from (a quarter, e.g. 2026-Q1) and picks the latest one on or before the
-- reporting quarter, the scope's own row before the company's.
with targets as (
    select
        metric,
        scope,
        valid_from,
        target_value,
        amber_value,
        is_higher_better
    from src_kpi_targets as kpi_targets
),

final as (
    select * from targets
)

select * from final
order by metric, scope, valid_from
