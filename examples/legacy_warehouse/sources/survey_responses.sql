-- Legacy core system → the data contract (docs/data-contract.md).
select
    r.resp_seq as response_id,
    r.wave_cd as wave_id,
    r.pol_seq as policy_id,
    (select b.org_cd from org_branch b where b.org_name = r.org_name) as branch_code,
    (select c.chnl_cd from sales_chnl c where c.chnl_name = r.chnl_name) as channel_code,
    (select l.line_cd from prod_line l where l.line_name = r.line_name) as product_line_code,
    date(substr(r.resp_date, 1, 4) || '-' || substr(r.resp_date, 5, 2) || '-' || substr(r.resp_date, 7, 2))
        as responded_on,
    r.remark as comment_text,
    r.quality_note as quality_flag
from svy_resp r
