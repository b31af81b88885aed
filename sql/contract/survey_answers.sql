-- Rules of the `survey_answers` relation (docs/data-contract.md) that need row keys, for the
-- quarter's wave (:wave_id): one answer per response and item, and a score. Scales and
-- coverage are judged on survey_answer_distribution.sql against the item bank file.
with
-- include: contract/parts/wave_answers

missing_scores as (
    -- The predicate of the partial index ix_answers_contract (sql/schema/08_indexes.sql), word
    -- for word: the canonical schema finds answers without a score without reading the wave.
    select
        cast(survey_answers.response_id as text) || '/'
        || coalesce(survey_answers.item_code, '(null)') as example_key
    from src_survey_answers as survey_answers
    inner join src_survey_responses as survey_responses
        on survey_responses.response_id = survey_answers.response_id
    where (survey_answers.score is null or survey_answers.item_code is null)
        and survey_responses.wave_id = :wave_id
),

duplicates as (
    select cast(response_id as text) || '/' || item_code as example_key
    from wave_answers
    group by response_id, item_code
    having count(*) > 1
),

broken as (
    select 'score.not_null' as rule, example_key from missing_scores
    union all
    select 'response_id.item_code.unique' as rule, example_key from duplicates
),

-- include: contract/parts/examples
