-- Rules of the `survey_answers` relation (docs/data-contract.md) that need row keys, for the
-- quarter's wave (:wave_id): one answer per response and item, and a score. Scales and
-- coverage are judged on survey_answer_distribution.sql against the item bank file.
with answers as not materialized (
    select
        survey_answers.response_id,
        survey_answers.item_code,
        survey_answers.score
    from src_survey_answers as survey_answers
    inner join src_survey_responses as survey_responses
        on survey_responses.response_id = survey_answers.response_id
    where survey_responses.wave_id = :wave_id
),

missing_scores as (
    select cast(response_id as text) || '/' || coalesce(item_code, '(null)') as example_key
    from answers
    where score is null or item_code is null
),

duplicates as (
    select cast(response_id as text) || '/' || item_code as example_key
    from answers
    group by response_id, item_code
    having count(*) > 1
),

broken as (
    select 'score.not_null' as rule, example_key from missing_scores
    union all
    select 'response_id.item_code.unique' as rule, example_key from duplicates
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
