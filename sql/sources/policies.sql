-- The `policies` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    policy_id,
    policy_no,
    customer_id,
    branch_code,
    channel_code,
    product_line_code,
    issued_on,
    premium_cny,
    premium_mode,
    status,
    lapsed_on,
    surrendered_on,
    matured_on,
    surrender_paid_cny
from policies
