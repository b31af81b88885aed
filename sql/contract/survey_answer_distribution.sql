-- Grain: one row per (item, score) answered in the quarter's wave (:wave_id), with how many
-- answers and respondents. A few hundred rows however large the wave: the scale, plausibility
-- and coverage rules are judged on it in memory against the item bank file.
with answers as (
    select
        survey_answers.item_code,
        survey_answers.score
    from src_survey_answers as survey_answers
    inner join src_survey_responses as survey_responses
        on survey_responses.response_id = survey_answers.response_id
    where survey_responses.wave_id = :wave_id
        and survey_answers.score is not null
        and survey_answers.item_code is not null
),

final as (
    select
        item_code,
        score,
        count(*) as answers
    from answers
    group by item_code, score
)

select * from final
order by item_code, score
