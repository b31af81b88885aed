-- The `mystery_shop_results` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    visit_id,
    checklist_item,
    is_passed
from mystery_shop_results
