-- Legacy core system → the data contract (docs/data-contract.md).
select
    resp_seq as response_id,
    item_cd as item_code,
    ans_val as score
from svy_ans
