-- Grain: one row per response of the quarter's survey wave, with the respondent's segments.
with responses as (
    select
        response_id,
        branch_code,
        channel_code,
        product_line_code
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
        -- responses ingest flagged as low quality (speeders, straight-lining) stay out of
        -- the indices unless the settings include them ([ingest] exclude_flagged = false)
        and (quality_flag is null or :include_flagged = 1)
),

final as (
    select * from responses
)

select * from final
order by response_id
