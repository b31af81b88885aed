-- Legacy core system → the data contract (docs/data-contract.md).
select
    bank_ver as item_bank_version,
    item_cd as item_code,
    dim_cd as dimension,
    q_zh as text_zh,
    q_en as text_en,
    min_pt as scale_min,
    max_pt as scale_max,
    case rev_flag when 'Y' then 1 else 0 end as is_reverse
from svy_item
