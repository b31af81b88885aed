-- The `survey_responses` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    response_id,
    wave_id,
    policy_id,
    branch_code,
    channel_code,
    product_line_code,
    responded_on,
    comment_text,
    quality_flag
from survey_responses
