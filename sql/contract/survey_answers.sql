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

duplicated_items as materialized (
    -- Items answered more often than by distinct respondents: one short pass per item, not a
    -- group per (response, item) of the whole wave.
    select item_code
    from wave_answers
    where item_code is not null
    group by item_code
    having count(*) > count(distinct response_id)
),

duplicates as (
    -- The keys, only for those items (nothing is read when no item has a duplicate).
    select cast(wave_answers.response_id as text) || '/' || wave_answers.item_code as example_key
    from wave_answers
    inner join duplicated_items on duplicated_items.item_code = wave_answers.item_code
    group by wave_answers.response_id, wave_answers.item_code
    having count(*) > 1
),

broken as (
    select 'score.not_null' as rule, example_key from missing_scores
    union all
    select 'response_id.item_code.unique' as rule, example_key from duplicates
),

-- include: contract/parts/examples
