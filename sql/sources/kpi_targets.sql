-- The `kpi_targets` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    metric,
    scope,
    valid_from,
    target_value,
    amber_value,
    is_higher_better
from kpi_targets
