-- Rules of the `complaints` relation (docs/data-contract.md) for the complaints the quarter's
-- KPIs read: received or due in [:quarter_start, :quarter_end). One row per broken rule and
-- example complaint (at most five per rule). Resolved on or after received; due after received.
with in_quarter as not materialized (
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
    from src_complaints
    where (received_on >= :quarter_start and received_on < :quarter_end)
        or (due_on >= :quarter_start and due_on < :quarter_end)
),

checked as (
    select
        coalesce(cast(in_quarter.complaint_id as text), '(null)') as example_key,
        case when in_quarter.complaint_id is null then 1 else 0 end as id_not_null,
        case when branches.branch_code is null then 1 else 0 end as branch_references,
        case
            when in_quarter.channel_code is not null and channels.channel_code is null
                then 1 else 0
        end as channel_references,
        case
            when in_quarter.policy_id is not null and policies.policy_id is null then 1 else 0
        end as policy_references,
        case
            when in_quarter.due_on is null or in_quarter.due_on < in_quarter.received_on
                then 1 else 0
        end as due_order,
        case
            when in_quarter.resolved_on < in_quarter.received_on then 1 else 0
        end as resolved_order,
        case
            when in_quarter.category is null or in_quarter.category = '' then 1 else 0
        end as category_not_null,
        case
            when in_quarter.dimension is null or in_quarter.dimension not in (
                'presale', 'purchase', 'policy_service', 'claims', 'complaints', 'value_added'
            ) then 1 else 0
        end as dimension_accepted,
        case
            when in_quarter.is_complex is null or in_quarter.is_complex not in (0, 1)
                then 1 else 0
        end as complex_accepted,
        case
            when in_quarter.outcome is not null and in_quarter.outcome not in (
                'upheld', 'partly_upheld', 'not_upheld', 'withdrawn'
            ) then 1 else 0
        end as outcome_accepted
    from in_quarter
    left join src_branches as branches on branches.branch_code = in_quarter.branch_code
    left join src_channels as channels on channels.channel_code = in_quarter.channel_code
    left join src_policies as policies on policies.policy_id = in_quarter.policy_id
),

violations as materialized (
    select * from checked
    where id_not_null + branch_references + channel_references + policy_references + due_order
        + resolved_order + category_not_null + dimension_accepted + complex_accepted
        + outcome_accepted > 0
),

duplicates as (
    select cast(complaint_id as text) as example_key
    from in_quarter
    group by complaint_id
    having count(*) > 1
),

broken as (
    select 'complaint_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'complaint_id.unique' as rule, example_key from duplicates
    union all
    select 'branch_code.references' as rule, example_key
    from violations where branch_references = 1
    union all
    select 'channel_code.references' as rule, example_key
    from violations where channel_references = 1
    union all
    select 'policy_id.references' as rule, example_key
    from violations where policy_references = 1
    union all
    select 'due_on.after_received' as rule, example_key from violations where due_order = 1
    union all
    select 'resolved_on.after_received' as rule, example_key
    from violations where resolved_order = 1
    union all
    select 'category.not_null' as rule, example_key from violations where category_not_null = 1
    union all
    select 'dimension.accepted' as rule, example_key from violations where dimension_accepted = 1
    union all
    select 'is_complex.accepted' as rule, example_key from violations where complex_accepted = 1
    union all
    select 'outcome.accepted' as rule, example_key from violations where outcome_accepted = 1
),

-- include: contract/parts/examples
