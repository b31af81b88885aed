-- The `survey_items` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    item_bank_version,
    item_code,
    dimension,
    text_zh,
    text_en,
    scale_min,
    scale_max,
    is_reverse
from survey_items
