-- The ending every row-rule statement of the contract shares (included after its `broken`
-- CTE, which lists one (rule, example_key) per failure): each broken rule's count of failures
-- and its first five example keys. Grain: one row per broken rule and example (≤ 5 per rule).
ranked as (
    select
        rule,
        example_key,
        count(*) over (partition by rule) as failed,
        row_number() over (partition by rule order by example_key) as position
    from broken
)

select rule, failed, example_key from ranked
where position <= 5
order by rule, position
