-- Grain: one row: the number of policies in the warehouse.
with

policies_ as (
    select policy_id from policies
),

final as (
    select count(*) as policies from policies_
)

select * from final
