-- The `mystery_shop_visits` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    visit_id,
    branch_code,
    channel_code,
    visited_on,
    scenario
from mystery_shop_visits
