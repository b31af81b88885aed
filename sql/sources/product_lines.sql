-- The `product_lines` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    product_line_code,
    name_zh,
    name_en
from product_lines
