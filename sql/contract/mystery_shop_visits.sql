-- Rules of the `mystery_shop_visits` relation (docs/data-contract.md) for the visits made in
-- [:quarter_start, :quarter_end). One row per broken rule and example visit.
with in_quarter as not materialized (
    select
        visit_id,
        branch_code,
        channel_code,
        scenario
    from src_mystery_shop_visits
    where visited_on >= :quarter_start
        and visited_on < :quarter_end
),

checked as (
    select
        coalesce(cast(in_quarter.visit_id as text), '(null)') as example_key,
        case when in_quarter.visit_id is null then 1 else 0 end as id_not_null,
        case when branches.branch_code is null then 1 else 0 end as branch_references,
        case when channels.channel_code is null then 1 else 0 end as channel_references,
        case
            when in_quarter.scenario is null or in_quarter.scenario = '' then 1 else 0
        end as scenario_not_null
    from in_quarter
    left join src_branches as branches on branches.branch_code = in_quarter.branch_code
    left join src_channels as channels on channels.channel_code = in_quarter.channel_code
),

violations as materialized (
    select * from checked
    where id_not_null + branch_references + channel_references + scenario_not_null > 0
),

duplicates as (
    select cast(visit_id as text) as example_key
    from in_quarter
    group by visit_id
    having count(*) > 1
),

broken as (
    select 'visit_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'visit_id.unique' as rule, example_key from duplicates
    union all
    select 'branch_code.references' as rule, example_key
    from violations where branch_references = 1
    union all
    select 'channel_code.references' as rule, example_key
    from violations where channel_references = 1
    union all
    select 'scenario.not_null' as rule, example_key from violations where scenario_not_null = 1
),

-- include: contract/parts/examples
