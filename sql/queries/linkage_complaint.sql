-- Grain: one row per response of wave :wave_id with a policy: whether a complaint was
-- received on that policy on or before the response date and at most :lookback_days days
-- before it (complained 'yes'), or not ('no'). Responses without a policy cannot be matched
-- and have no row.
with responses as (
    select
        response_id,
        policy_id,
        responded_on
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
        and policy_id is not null
),

matched as (
    select
        responses.response_id,
        count(complaints.complaint_id) as complaints_received
    from responses
    left join src_complaints as complaints
        on complaints.policy_id = responses.policy_id
        and complaints.received_on <= responses.responded_on
        and (date_part('epoch', responses.responded_on) - date_part('epoch', complaints.received_on))
            / 86400.0 <= :lookback_days
    group by responses.response_id
),

final as (
    select
        response_id,
        complaints_received,
        case when complaints_received > 0 then 'yes' else 'no' end as complained
    from matched
)

select * from final
order by response_id
