-- Rules of the `channels` relation (docs/data-contract.md), over the whole relation: one row per
-- broken rule and example key (at most five per rule, with the rule's count of failures).
with checked as (
    select
        coalesce(channel_code, '(null)') as example_key,
        case when channel_code is null then 1 else 0 end as code_not_null,
        case when name_zh is null or name_zh = '' then 1 else 0 end as name_zh_not_null,
        case when name_en is null or name_en = '' then 1 else 0 end as name_en_not_null
    from src_channels
),

violations as materialized (
    select * from checked
    where code_not_null + name_zh_not_null + name_en_not_null > 0
),

duplicates as (
    select channel_code as example_key
    from src_channels
    group by channel_code
    having count(*) > 1
),

broken as (
    select 'channel_code.not_null' as rule, example_key from violations where code_not_null = 1
    union all
    select 'name_zh.not_null' as rule, example_key from violations where name_zh_not_null = 1
    union all
    select 'name_en.not_null' as rule, example_key from violations where name_en_not_null = 1
    union all
    select 'channel_code.unique' as rule, example_key from duplicates
),

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
