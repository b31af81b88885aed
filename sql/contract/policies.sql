-- Rules of the `policies` relation (docs/data-contract.md) over the whole policy book, in three
-- reads that the canonical schema answers from indexes (sql/schema/08_indexes.sql) instead of
-- evaluating every rule on every one of millions of policies:
-- 1. `suspects`: the policies that break a row rule. Its WHERE is the predicate of the partial
--    index ix_policies_contract, which holds only such policies (none in a clean book).
-- 2. `codes_used`: the distinct (branch, channel, product line) codes of the book, read along
--    ix_policies_codes, each compared with its code list; their policies are then looked up.
-- 3. `duplicates`: policy_id grouped along the primary key.
-- A warehouse whose views lack these indexes gets the same answers from scans.
-- One row per broken rule and example policy (at most five per rule).
with suspects as materialized (
    select
        policy_id, policy_no, branch_code, channel_code, product_line_code, issued_on,
        premium_cny, premium_mode, status, lapsed_on, surrendered_on, matured_on
    from src_policies
    where policy_id is null
        or branch_code is null or channel_code is null or product_line_code is null
        or issued_on is null
        or premium_cny is null or premium_cny < 0
        or premium_mode is null or premium_mode not in ('regular', 'single')
        or status is null or status not in ('in_force', 'lapsed', 'surrendered', 'matured')
        or lapsed_on < issued_on or surrendered_on < issued_on or matured_on < issued_on
        or (status = 'surrendered' and surrendered_on is null)
        or (status = 'lapsed' and lapsed_on is null)
        or (status = 'matured' and matured_on is null)
),

codes_used as materialized (
    select branch_code, channel_code, product_line_code
    from src_policies
    group by branch_code, channel_code, product_line_code
),

unknown_codes as (
    select codes_used.branch_code, codes_used.channel_code, codes_used.product_line_code
    from codes_used
    left join src_branches as branches on branches.branch_code = codes_used.branch_code
    left join src_channels as channels on channels.channel_code = codes_used.channel_code
    left join src_product_lines as product_lines
        on product_lines.product_line_code = codes_used.product_line_code
    where branches.branch_code is null
        or channels.channel_code is null
        or product_lines.product_line_code is null
),

flagged as materialized (
    -- Every policy that breaks a rule: the suspects, and the policies of unknown codes (a
    -- policy in both is read once).
    select * from suspects
    union
    select
        policies.policy_id, policies.policy_no, policies.branch_code, policies.channel_code,
        policies.product_line_code, policies.issued_on, policies.premium_cny,
        policies.premium_mode, policies.status, policies.lapsed_on, policies.surrendered_on,
        policies.matured_on
    from src_policies as policies
    inner join unknown_codes
        on unknown_codes.branch_code = policies.branch_code
        and unknown_codes.channel_code = policies.channel_code
        and unknown_codes.product_line_code = policies.product_line_code
),

checked as (
    select
        coalesce(flagged.policy_no, cast(flagged.policy_id as text), '(null)') as example_key,
        case when flagged.policy_id is null then 1 else 0 end as id_not_null,
        case when branches.branch_code is null then 1 else 0 end as branch_references,
        case when channels.channel_code is null then 1 else 0 end as channel_references,
        case
            when product_lines.product_line_code is null then 1 else 0
        end as product_references,
        case when flagged.issued_on is null then 1 else 0 end as issued_not_null,
        case
            when flagged.premium_cny is null or flagged.premium_cny < 0 then 1 else 0
        end as premium_range,
        case
            when flagged.premium_mode is null
                or flagged.premium_mode not in ('regular', 'single')
                then 1 else 0
        end as mode_accepted,
        case
            when flagged.status is null
                or flagged.status not in ('in_force', 'lapsed', 'surrendered', 'matured')
                then 1 else 0
        end as status_accepted,
        case
            when flagged.lapsed_on < flagged.issued_on
                or flagged.surrendered_on < flagged.issued_on
                or flagged.matured_on < flagged.issued_on
                then 1 else 0
        end as date_order,
        case
            when (flagged.status = 'surrendered' and flagged.surrendered_on is null)
                or (flagged.status = 'lapsed' and flagged.lapsed_on is null)
                or (flagged.status = 'matured' and flagged.matured_on is null)
                then 1 else 0
        end as status_dated
    from flagged
    left join src_branches as branches on branches.branch_code = flagged.branch_code
    left join src_channels as channels on channels.channel_code = flagged.channel_code
    left join src_product_lines as product_lines
        on product_lines.product_line_code = flagged.product_line_code
),

duplicates as (
    select cast(policy_id as text) as example_key
    from src_policies
    where policy_id is not null
    group by policy_id
    having count(*) > 1
),

broken as (
    select 'policy_id.not_null' as rule, example_key from checked where id_not_null = 1
    union all
    select 'policy_id.unique' as rule, example_key from duplicates
    union all
    select 'branch_code.references' as rule, example_key
    from checked where branch_references = 1
    union all
    select 'channel_code.references' as rule, example_key
    from checked where channel_references = 1
    union all
    select 'product_line_code.references' as rule, example_key
    from checked where product_references = 1
    union all
    select 'issued_on.not_null' as rule, example_key from checked where issued_not_null = 1
    union all
    select 'premium_cny.range' as rule, example_key from checked where premium_range = 1
    union all
    select 'premium_mode.accepted' as rule, example_key from checked where mode_accepted = 1
    union all
    select 'status.accepted' as rule, example_key from checked where status_accepted = 1
    union all
    select 'date_order' as rule, example_key from checked where date_order = 1
    union all
    select 'status.dated' as rule, example_key from checked where status_dated = 1
),

-- include: contract/parts/examples
