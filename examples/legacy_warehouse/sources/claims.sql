-- Legacy core system → the data contract (docs/data-contract.md). 赔付/拒赔/撤案 → paid/denied/withdrawn.
select
    case_seq as claim_id,
    pol_seq as policy_id,
    date(substr(rpt_date, 1, 4) || '-' || substr(rpt_date, 5, 2) || '-' || substr(rpt_date, 7, 2))
        as reported_on,
    date(substr(reg_date, 1, 4) || '-' || substr(reg_date, 5, 2) || '-' || substr(reg_date, 7, 2))
        as registered_on,
    date(substr(close_date, 1, 4) || '-' || substr(close_date, 5, 2) || '-' || substr(close_date, 7, 2))
        as closed_on,
    date(substr(pay_date, 1, 4) || '-' || substr(pay_date, 5, 2) || '-' || substr(pay_date, 7, 2))
        as paid_on,
    case case_result when '赔付' then 'paid' when '拒赔' then 'denied' when '撤案' then 'withdrawn' end
        as outcome,
    clm_amt_fen / 100.0 as claimed_cny,
    pay_amt_fen / 100.0 as paid_cny
from clm_case
