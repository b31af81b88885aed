-- Grain: one row per policy whose number a file names (the numbers are bound as a list).
select policy_id, policy_no, branch_code, channel_code, product_line_code
from policies
where policy_no in :policy_numbers
