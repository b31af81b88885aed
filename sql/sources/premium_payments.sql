-- The `premium_payments` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    payment_id,
    policy_id,
    installment_no,
    due_on,
    paid_on,
    amount_cny
from premium_payments
