-- Grain: up to five answers of the quarter's wave (:wave_id) to one item (:item_code) whose
-- score lies outside [:scale_min, :scale_max]: the example keys of a failed scale rule.
with answers as (
    select
        survey_answers.response_id,
        survey_answers.item_code,
        survey_answers.score
    from src_survey_answers as survey_answers
    inner join src_survey_responses as survey_responses
        on survey_responses.response_id = survey_answers.response_id
    where survey_responses.wave_id = :wave_id
        and survey_answers.item_code = :item_code
        and (survey_answers.score < :scale_min or survey_answers.score > :scale_max)
),

final as (
    select response_id, item_code, score from answers
)

select * from final
order by response_id
limit 5
