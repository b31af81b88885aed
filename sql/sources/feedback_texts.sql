-- The `feedback_texts` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    feedback_id,
    source,
    received_on,
    branch_code,
    policy_id,
    body
from feedback_texts
