-- Legacy core system → the data contract (docs/data-contract.md).
select
    t.ticket_seq as complaint_id,
    t.pol_seq as policy_id,
    (select b.org_cd from org_branch b where b.org_name = t.org_name) as branch_code,
    (select c.chnl_cd from sales_chnl c where c.chnl_name = t.chnl_name) as channel_code,
    date(substr(t.accept_date, 1, 4) || '-' || substr(t.accept_date, 5, 2) || '-' || substr(t.accept_date, 7, 2))
        as received_on,
    date(substr(t.limit_date, 1, 4) || '-' || substr(t.limit_date, 5, 2) || '-' || substr(t.limit_date, 7, 2))
        as due_on,
    date(substr(t.finish_date, 1, 4) || '-' || substr(t.finish_date, 5, 2) || '-' || substr(t.finish_date, 7, 2))
        as resolved_on,
    t.cmp_type as category,
    t.svc_dim as dimension,
    case t.complex_flag when 'Y' then 1 else 0 end as is_complex,
    case t.cmp_result
        when '成立' then 'upheld' when '部分成立' then 'partly_upheld'
        when '不成立' then 'not_upheld' when '撤诉' then 'withdrawn'
    end as outcome
from cmp_ticket t
