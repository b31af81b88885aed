-- Grain: one row per product line (segment names for the report).
select
    product_line_code,
    name_zh,
    name_en
from src_product_lines as product_lines
order by product_line_code
