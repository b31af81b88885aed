-- Legacy core system → the data contract (docs/data-contract.md).
select
    v.visit_seq as visit_id,
    (select b.org_cd from org_branch b where b.org_name = v.org_name) as branch_code,
    (select c.chnl_cd from sales_chnl c where c.chnl_name = v.chnl_name) as channel_code,
    date(substr(v.visit_date, 1, 4) || '-' || substr(v.visit_date, 5, 2) || '-' || substr(v.visit_date, 7, 2))
        as visited_on,
    v.scene as scenario
from ms_visit v
