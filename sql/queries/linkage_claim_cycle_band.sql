-- Grain: one row per response of wave :wave_id whose policy had a claim closed (paid or denied;
-- withdrawn claims are left out) on or before the response date and at most :lookback_days
-- days before it. The respondent's most recent such claim counts; its cycle is days from
-- report (报案) to closure, banded le10 (≤ 10 days), d11_30 (11–30) and gt30 (> 30).
-- Respondents without such a claim have no row.
with responses as (
    select
        response_id,
        policy_id,
        responded_on
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
        and policy_id is not null
),

closed_claims as (
    select
        responses.response_id,
        claims.claim_id,
        (date_part('epoch', claims.closed_on) - date_part('epoch', claims.reported_on)) / 86400.0
            as cycle_days,
        row_number() over (
            partition by responses.response_id
            order by claims.closed_on desc, claims.claim_id desc
        ) as recency
    from responses
    inner join src_claims as claims on claims.policy_id = responses.policy_id
    where claims.outcome in ('paid', 'denied')
        and claims.closed_on <= responses.responded_on
        and (date_part('epoch', responses.responded_on) - date_part('epoch', claims.closed_on))
            / 86400.0 <= :lookback_days
),

final as (
    select
        response_id,
        claim_id,
        cycle_days,
        case
            when cycle_days <= 10 then 'le10'
            when cycle_days <= 30 then 'd11_30'
            else 'gt30'
        end as cycle_band
    from closed_claims
    where recency = 1
)

select * from final
order by response_id
