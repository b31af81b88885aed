-- The quarter's wave's answers (:wave_id), shared by the survey statements of the contract
-- (included at the top of their WITH): each answer with its response and item.
wave_answers as not materialized (
    select
        survey_answers.response_id,
        survey_answers.item_code,
        survey_answers.score
    from src_survey_answers as survey_answers
    inner join src_survey_responses as survey_responses
        on survey_responses.response_id = survey_answers.response_id
    where survey_responses.wave_id = :wave_id
),
