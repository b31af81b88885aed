-- The `complaints` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    complaint_id,
    policy_id,
    branch_code,
    channel_code,
    received_on,
    due_on,
    resolved_on,
    category,
    dimension,
    is_complex,
    outcome
from complaints
