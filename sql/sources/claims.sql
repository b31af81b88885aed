-- The `claims` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    claim_id,
    policy_id,
    reported_on,
    registered_on,
    closed_on,
    paid_on,
    outcome,
    claimed_cny,
    paid_cny
from claims
