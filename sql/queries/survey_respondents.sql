-- Grain: one row per response of the quarter's survey wave, with the respondent's segments,
-- the policy it answers for, when it was given, and whether that policy belongs to the
-- population the weights are raked to (in force at the end of :as_of's eve, as in
-- policy_book_cells.sql). A response without a policy, or whose policy ended before
-- :as_of, is outside that population (in_population = 0); the survey stage applies the
-- stated rule ([weighting] outside_population) and reports how many there were.
with responses as (
    select
        response_id,
        policy_id,
        responded_on,
        branch_code,
        channel_code,
        product_line_code
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
        -- responses ingest flagged as low quality (speeders, straight-lining) stay out of
        -- the indices unless the settings include them ([ingest] exclude_flagged = false)
        and (quality_flag is null or :include_flagged = 1)
),

in_force as (
    select policy_id
    from src_policies as policies
    where issued_on < :as_of
        and (lapsed_on is null or lapsed_on >= :as_of)
        and (surrendered_on is null or surrendered_on >= :as_of)
        and (matured_on is null or matured_on >= :as_of)
),

final as (
    select
        responses.response_id,
        responses.branch_code,
        responses.channel_code,
        responses.product_line_code,
        responses.policy_id,
        responses.responded_on,
        case when in_force.policy_id is null then 0 else 1 end as in_population
    from responses
    left join in_force on in_force.policy_id = responses.policy_id
)

select * from final
order by response_id
