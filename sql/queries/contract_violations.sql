-- Grain: one row per data-contract rule a quarter's source rows break (rules with no breaking
-- row are left out). Checked before anything is computed: impossible dates, branch codes the
-- branches table does not know (their rows would vanish from branch figures, so branches would
-- no longer add up to the company), and survey response ids given twice.
with quarter_claims as (
    select claim_id, reported_on, closed_on, paid_on
    from src_claims as claims
    where (reported_on >= :quarter_start and reported_on < :quarter_end)
        or (paid_on >= :quarter_start and paid_on < :quarter_end)
        or (closed_on >= :quarter_start and closed_on < :quarter_end)
),

quarter_complaints as (
    select complaint_id, branch_code, received_on, resolved_on
    from src_complaints as complaints
    where (received_on >= :quarter_start and received_on < :quarter_end)
        or (resolved_on >= :quarter_start and resolved_on < :quarter_end)
),

wave_responses as (
    select response_id, branch_code
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
),

rules as (
    select 'claims.paid_on' as source, 'paid before the claim was reported' as rule,
        count(*) as violations, min(claim_id) as first_id, max(claim_id) as last_id
    from quarter_claims where paid_on < reported_on
    union all
    select 'claims.closed_on', 'closed before the claim was reported',
        count(*), min(claim_id), max(claim_id)
    from quarter_claims where closed_on < reported_on
    union all
    select 'claims', 'reported, closed or paid after the run date',
        count(*), min(claim_id), max(claim_id)
    from quarter_claims
    where reported_on > :today or closed_on > :today or paid_on > :today
    union all
    select 'complaints.resolved_on', 'resolved before the complaint was received',
        count(*), min(complaint_id), max(complaint_id)
    from quarter_complaints where resolved_on < received_on
    union all
    select 'complaints', 'received or resolved after the run date',
        count(*), min(complaint_id), max(complaint_id)
    from quarter_complaints where received_on > :today or resolved_on > :today
    union all
    select 'complaints.branch_code', 'branch code not in branches',
        count(*), min(complaint_id), max(complaint_id)
    from quarter_complaints
    where branch_code not in (select branch_code from src_branches as branches)
    union all
    select 'survey_responses.branch_code', 'branch code not in branches',
        count(*), min(response_id), max(response_id)
    from wave_responses
    where branch_code not in (select branch_code from src_branches as branches)
    union all
    select 'policies.branch_code', 'branch code not in branches',
        count(*), min(policy_id), max(policy_id)
    from src_policies as policies
    where issued_on < :quarter_end
        and branch_code not in (select branch_code from src_branches as branches)
    union all
    select 'feedback_texts.branch_code', 'branch code not in branches',
        count(*), min(feedback_id), max(feedback_id)
    from src_feedback_texts as feedback_texts
    where received_on >= :quarter_start and received_on < :quarter_end
        and branch_code is not null
        and branch_code not in (select branch_code from src_branches as branches)
    union all
    select 'survey_responses.response_id', 'response id given more than once',
        count(*), min(response_id), max(response_id)
    from (
        select response_id
        from wave_responses
        group by response_id
        having count(*) > 1
    ) as repeated
),

final as (
    select * from rules where violations > 0
)

select * from final
order by source, rule
