-- Grain: one row per (response, item) of the quarter's survey wave. Segments come from
-- survey_respondents.sql, so millions of answer rows do not repeat them.
with responses as (
    select response_id
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
        -- responses ingest flagged as low quality (speeders, straight-lining) stay out of
        -- the indices unless the settings include them ([ingest] exclude_flagged = false)
        and (quality_flag is null or :include_flagged = 1)
),

answers as (
    select
        response_id,
        item_code,
        score
    from src_survey_answers as survey_answers
),

final as (
    select
        answers.response_id,
        answers.item_code,
        answers.score
    from answers
    inner join responses on responses.response_id = answers.response_id
)

select * from final
order by response_id, item_code
