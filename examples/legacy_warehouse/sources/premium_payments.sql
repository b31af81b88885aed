-- Legacy core system → the data contract (docs/data-contract.md).
select
    rec_seq as payment_id,
    pol_seq as policy_id,
    period_no as installment_no,
    date(substr(due_date, 1, 4) || '-' || substr(due_date, 5, 2) || '-' || substr(due_date, 7, 2))
        as due_on,
    date(substr(pay_date, 1, 4) || '-' || substr(pay_date, 5, 2) || '-' || substr(pay_date, 7, 2))
        as paid_on,
    amt_fen / 100.0 as amount_cny
from prem_record
