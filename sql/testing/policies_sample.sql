-- Test support: the first :count policies with their segments (respondents of a test export).
select policy_no, branch_code, channel_code, product_line_code
from policies
order by policy_id
limit :count
