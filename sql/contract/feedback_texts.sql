-- Rules of the `feedback_texts` relation (docs/data-contract.md) for the texts received in
-- [:quarter_start, :quarter_end). One row per broken rule and example text.
with in_quarter as not materialized (
    select
        feedback_id,
        source,
        branch_code,
        body
    from src_feedback_texts
    where received_on >= :quarter_start
        and received_on < :quarter_end
),

checked as (
    select
        coalesce(cast(in_quarter.feedback_id as text), '(null)') as example_key,
        case when in_quarter.feedback_id is null then 1 else 0 end as id_not_null,
        case
            when in_quarter.source is null or in_quarter.source not in (
                'survey_comment', 'online_message', 'social_media'
            ) then 1 else 0
        end as source_accepted,
        case
            when in_quarter.branch_code is not null and branches.branch_code is null
                then 1 else 0
        end as branch_references,
        case when in_quarter.body is null or in_quarter.body = '' then 1 else 0 end as body_not_null
    from in_quarter
    left join src_branches as branches on branches.branch_code = in_quarter.branch_code
),

violations as materialized (
    select * from checked
    where id_not_null + source_accepted + branch_references + body_not_null > 0
),

duplicates as (
    select cast(feedback_id as text) as example_key
    from in_quarter
    group by feedback_id
    having count(*) > 1
),

broken as (
    select 'feedback_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'feedback_id.unique' as rule, example_key from duplicates
    union all
    select 'source.accepted' as rule, example_key from violations where source_accepted = 1
    union all
    select 'branch_code.references' as rule, example_key
    from violations where branch_references = 1
    union all
    select 'body.not_null' as rule, example_key from violations where body_not_null = 1
),

-- include: contract/parts/examples
