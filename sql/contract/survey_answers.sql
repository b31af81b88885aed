-- Rules of the `survey_answers` relation (docs/data-contract.md) that need row keys, for the
-- quarter's wave (:wave_id): one answer per response and item, and a score. Scales and
-- coverage are judged on survey_answer_distribution.sql against the item bank file.
with
-- include: contract/parts/wave_answers

missing_scores as (
    select cast(response_id as text) || '/' || coalesce(item_code, '(null)') as example_key
    from wave_answers
    where score is null or item_code is null
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
