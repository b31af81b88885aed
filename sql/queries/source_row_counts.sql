-- Grain: one row per (scope, source table): the rows of the quarter that fed this run (data
-- lineage for the methodology appendix), for the company and for each branch, so a branch
-- report's appendix counts the branch's own rows. A row's branch is its own branch_code
-- (survey answers: their response's; claims: their policy's).
with wave_responses as (
    select response_id, branch_code
    from src_survey_responses as survey_responses
    where wave_id = :wave_id
),

by_branch as (
    select 'survey_responses' as source, branch_code, count(*) as source_rows
    from wave_responses
    group by branch_code
    union all
    select 'survey_answers' as source, wave_responses.branch_code, count(*) as source_rows
    from src_survey_answers as survey_answers
    inner join wave_responses on wave_responses.response_id = survey_answers.response_id
    group by wave_responses.branch_code
    union all
    select 'policies_in_force' as source, branch_code, count(*) as source_rows
    from src_policies as policies
    where issued_on < :quarter_end
        and (lapsed_on is null or lapsed_on >= :quarter_end)
        and (surrendered_on is null or surrendered_on >= :quarter_end)
        and (matured_on is null or matured_on >= :quarter_end)
    group by branch_code
    union all
    select 'claims' as source, policies.branch_code, count(*) as source_rows
    from src_claims as claims
    left join src_policies as policies on policies.policy_id = claims.policy_id
    where (claims.reported_on >= :quarter_start and claims.reported_on < :quarter_end)
        or (claims.closed_on >= :quarter_start and claims.closed_on < :quarter_end)
    group by policies.branch_code
    union all
    select 'complaints' as source, branch_code, count(*) as source_rows
    from src_complaints as complaints
    where (received_on >= :quarter_start and received_on < :quarter_end)
        or (due_on >= :quarter_start and due_on < :quarter_end)
    group by branch_code
    union all
    select 'feedback_texts' as source, branch_code, count(*) as source_rows
    from src_feedback_texts as feedback_texts
    where received_on >= :quarter_start and received_on < :quarter_end
    group by branch_code
    union all
    select 'mystery_shop_visits' as source, branch_code, count(*) as source_rows
    from src_mystery_shop_visits as mystery_shop_visits
    where visited_on >= :quarter_start and visited_on < :quarter_end
    group by branch_code
),

sources as (
    select 'survey_responses' as source
    union all select 'survey_answers'
    union all select 'policies_in_force'
    union all select 'claims'
    union all select 'complaints'
    union all select 'feedback_texts'
    union all select 'mystery_shop_visits'
),

company as (
    select
        'company' as scope,
        sources.source,
        coalesce(sum(by_branch.source_rows), 0) as source_rows
    from sources
    left join by_branch on by_branch.source = sources.source
    group by sources.source
),

final as (
    select scope, source, source_rows from company
    union all
    select branch_code as scope, source, source_rows
    from by_branch
    where branch_code is not null
)

select * from final
order by scope, source
