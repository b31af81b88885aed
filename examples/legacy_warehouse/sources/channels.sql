-- Legacy core system → the data contract (docs/data-contract.md).
select
    chnl_cd as channel_code,
    chnl_name as name_zh,
    chnl_name_en as name_en
from sales_chnl
