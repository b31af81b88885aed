-- Grain: one row per (branch, channel, product line) cell of policies in force at :as_of,
-- the population the survey is raked to.
with policies_in_force as (
    select
        branch_code,
        channel_code,
        product_line_code
    from src_policies as policies
    where issued_on < :as_of
        and (lapsed_on is null or lapsed_on >= :as_of)
        and (surrendered_on is null or surrendered_on >= :as_of)
        and (matured_on is null or matured_on >= :as_of)
),

final as (
    select
        branch_code,
        channel_code,
        product_line_code,
        count(*) as policies_in_force
    from policies_in_force
    group by branch_code, channel_code, product_line_code
)

select * from final
order by branch_code, channel_code, product_line_code
