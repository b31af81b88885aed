-- Legacy core system → the data contract (docs/data-contract.md).
select
    kpi_cd as metric,
    scope_cd as scope,
    eff_qtr as valid_from,
    goal_val as target_value,
    warn_val as amber_value,
    case higher_better when 'Y' then 1 when 'N' then 0 end as is_higher_better
from kpi_goal
