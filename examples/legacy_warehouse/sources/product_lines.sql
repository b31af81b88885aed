-- Legacy core system → the data contract (docs/data-contract.md).
select
    line_cd as product_line_code,
    line_name as name_zh,
    line_name_en as name_en
from prod_line
