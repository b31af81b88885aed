-- Rules of the `survey_responses` relation (docs/data-contract.md) for the quarter's wave
-- (:wave_id): the respondents the survey step reads. One row per broken rule and example
-- response (at most five per rule).
with in_wave as not materialized (
    select
        response_id,
        wave_id,
        policy_id,
        branch_code,
        channel_code,
        product_line_code,
        responded_on
    from src_survey_responses
    where wave_id = :wave_id
),

checked as (
    select
        coalesce(cast(in_wave.response_id as text), '(null)') as example_key,
        case when in_wave.response_id is null then 1 else 0 end as id_not_null,
        case when branches.branch_code is null then 1 else 0 end as branch_references,
        case when channels.channel_code is null then 1 else 0 end as channel_references,
        case
            when product_lines.product_line_code is null then 1 else 0
        end as product_references,
        case
            when in_wave.policy_id is not null and policies.policy_id is null then 1 else 0
        end as policy_references,
        case when in_wave.responded_on is null then 1 else 0 end as responded_not_null,
        case
            when in_wave.responded_on < waves.fielded_from
                or in_wave.responded_on > waves.fielded_to
                then 1 else 0
        end as responded_in_fieldwork
    from in_wave
    left join src_branches as branches on branches.branch_code = in_wave.branch_code
    left join src_channels as channels on channels.channel_code = in_wave.channel_code
    left join src_product_lines as product_lines
        on product_lines.product_line_code = in_wave.product_line_code
    left join src_policies as policies on policies.policy_id = in_wave.policy_id
    left join src_survey_waves as waves on waves.wave_id = in_wave.wave_id
),

violations as materialized (
    select * from checked
    where id_not_null + branch_references + channel_references + product_references
        + policy_references + responded_not_null + responded_in_fieldwork > 0
),

duplicates as (
    select cast(response_id as text) as example_key
    from in_wave
    group by response_id
    having count(*) > 1
),

broken as (
    select 'response_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'response_id.unique' as rule, example_key from duplicates
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
    select 'policy_id.references' as rule, example_key
    from violations where policy_references = 1
    union all
    select 'responded_on.not_null' as rule, example_key
    from violations where responded_not_null = 1
    union all
    select 'responded_on.within_fieldwork' as rule, example_key
    from violations where responded_in_fieldwork = 1
),

-- include: contract/parts/examples
