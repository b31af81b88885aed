-- Legacy core system → the data contract (docs/data-contract.md). 是/否 → 1/0.
select
    visit_seq as visit_id,
    chk_item as checklist_item,
    case pass_flag when '是' then 1 when '否' then 0 end as is_passed
from ms_result
