-- Rules of the `policies` relation (docs/data-contract.md), over the whole policy book (the
-- KPIs read most of it): one scan of the source view with its three code lists joined (a few
-- rows each), then one row per broken rule and example policy (at most five per rule).
with checked as (
    select
        coalesce(policies.policy_no, cast(policies.policy_id as text), '(null)') as example_key,
        case when policies.policy_id is null then 1 else 0 end as id_not_null,
        case
            when branches.branch_code is null then 1 else 0
        end as branch_references,
        case
            when channels.channel_code is null then 1 else 0
        end as channel_references,
        case
            when product_lines.product_line_code is null then 1 else 0
        end as product_references,
        case when policies.issued_on is null then 1 else 0 end as issued_not_null,
        case
            when policies.premium_cny is null or policies.premium_cny < 0 then 1 else 0
        end as premium_range,
        case
            when policies.premium_mode is null
                or policies.premium_mode not in ('regular', 'single')
                then 1 else 0
        end as mode_accepted,
        case
            when policies.status is null
                or policies.status not in ('in_force', 'lapsed', 'surrendered', 'matured')
                then 1 else 0
        end as status_accepted,
        case
            when policies.lapsed_on < policies.issued_on
                or policies.surrendered_on < policies.issued_on
                or policies.matured_on < policies.issued_on
                then 1 else 0
        end as date_order,
        case
            when (policies.status = 'surrendered' and policies.surrendered_on is null)
                or (policies.status = 'lapsed' and policies.lapsed_on is null)
                or (policies.status = 'matured' and policies.matured_on is null)
                then 1 else 0
        end as status_dated
    from src_policies as policies
    left join src_branches as branches on branches.branch_code = policies.branch_code
    left join src_channels as channels on channels.channel_code = policies.channel_code
    left join src_product_lines as product_lines
        on product_lines.product_line_code = policies.product_line_code
),

violations as materialized (
    select * from checked
    where id_not_null + branch_references + channel_references + product_references
        + issued_not_null + premium_range + mode_accepted + status_accepted + date_order
        + status_dated > 0
),

duplicates as (
    select cast(policy_id as text) as example_key
    from src_policies
    group by policy_id
    having count(*) > 1
),

broken as (
    select 'policy_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'policy_id.unique' as rule, example_key from duplicates
    union all
    select 'branch_code.references' as rule, example_key
    from violations where branch_references = 1
    union all
    select 'channel_code.references' as rule, example_key
    from violations where channel_references = 1
    union all
    select 'product_line_code.references' as rule, example_key
    from violations where product_references = 1
    union all
    select 'issued_on.not_null' as rule, example_key from violations where issued_not_null = 1
    union all
    select 'premium_cny.range' as rule, example_key from violations where premium_range = 1
    union all
    select 'premium_mode.accepted' as rule, example_key from violations where mode_accepted = 1
    union all
    select 'status.accepted' as rule, example_key from violations where status_accepted = 1
    union all
    select 'date_order' as rule, example_key from violations where date_order = 1
    union all
    select 'status.dated' as rule, example_key from violations where status_dated = 1
),

-- include: contract/parts/examples
