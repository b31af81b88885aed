-- Grain: one row, the number of survey responses of one wave (a quarter without any cannot be
-- reported).
with responses as (
    select response_id
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
),

final as (
    select count(*) as responses from responses
)

select * from final
