-- Legacy core system → the data contract (docs/data-contract.md). Names → codes by looking
-- each up in its code list (a scalar lookup keeps the fact table's row order, so sums add in
-- the same order), fen → yuan, YYYYMMDD text → dates (date() is a function on SQLite and a
-- cast on PostgreSQL), Chinese statuses → the contract's codes. An unknown name gives a NULL
-- code, which the contract's references rule reports.
select
    p.pol_seq as policy_id,
    p.pol_no as policy_no,
    p.cust_no as customer_id,
    (select b.org_cd from org_branch b where b.org_name = p.org_name) as branch_code,
    (select c.chnl_cd from sales_chnl c where c.chnl_name = p.chnl_name) as channel_code,
    (select l.line_cd from prod_line l where l.line_name = p.line_name) as product_line_code,
    date(substr(p.eff_date, 1, 4) || '-' || substr(p.eff_date, 5, 2) || '-' || substr(p.eff_date, 7, 2))
        as issued_on,
    p.prem_fen / 100.0 as premium_cny,
    case p.pay_type when '期缴' then 'regular' when '趸缴' then 'single' end as premium_mode,
    case p.pol_status
        when '有效' then 'in_force' when '失效' then 'lapsed'
        when '退保' then 'surrendered' when '满期' then 'matured'
    end as status,
    date(substr(p.lapse_date, 1, 4) || '-' || substr(p.lapse_date, 5, 2) || '-' || substr(p.lapse_date, 7, 2))
        as lapsed_on,
    date(substr(p.surr_date, 1, 4) || '-' || substr(p.surr_date, 5, 2) || '-' || substr(p.surr_date, 7, 2))
        as surrendered_on,
    date(substr(p.mat_date, 1, 4) || '-' || substr(p.mat_date, 5, 2) || '-' || substr(p.mat_date, 7, 2))
        as matured_on,
    p.surr_amt_fen / 100.0 as surrender_paid_cny
from core_policy p
