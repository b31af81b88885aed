-- Grain: one row per branch, the scopes a quarterly run reports besides the company.
select
    branch_code,
    name_zh,
    name_en,
    region_zh,
    region_en
from src_branches as branches
order by branch_code
