-- Grain: one row per (response, item) of the quarter's survey wave, with the respondent's segments.
with responses as (
    select
        response_id,
        branch_code,
        channel_code,
        product_line_code
    from survey_responses
    where wave_id = :wave_id
),

answers as (
    select
        response_id,
        item_code,
        score
    from survey_answers
),

final as (
    select
        responses.response_id,
        responses.branch_code,
        responses.channel_code,
        responses.product_line_code,
        answers.item_code,
        answers.score
    from responses
    inner join answers on answers.response_id = responses.response_id
)

select * from final
order by response_id, item_code
