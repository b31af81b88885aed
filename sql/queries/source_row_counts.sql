-- Grain: one row per source table: the rows of the quarter that fed this run (data lineage
-- for the methodology appendix).
with wave_responses as (
    select response_id from src_survey_responses as survey_responses where wave_id = :wave_id
),

counts as (
    select 'survey_responses' as source, count(*) as source_rows from wave_responses
    union all
    select 'survey_answers' as source, count(*) as source_rows
    from src_survey_answers as survey_answers
    where response_id in (select response_id from wave_responses)
    union all
    select 'policies_in_force' as source, count(*) as source_rows
    from src_policies as policies
    where issued_on < :quarter_end
        and (lapsed_on is null or lapsed_on >= :quarter_end)
        and (surrendered_on is null or surrendered_on >= :quarter_end)
        and (matured_on is null or matured_on >= :quarter_end)
    union all
    select 'claims' as source, count(*) as source_rows
    from src_claims as claims
    where (reported_on >= :quarter_start and reported_on < :quarter_end)
        or (closed_on >= :quarter_start and closed_on < :quarter_end)
    union all
    select 'complaints' as source, count(*) as source_rows
    from src_complaints as complaints
    where (received_on >= :quarter_start and received_on < :quarter_end)
        or (due_on >= :quarter_start and due_on < :quarter_end)
    union all
    select 'feedback_texts' as source, count(*) as source_rows
    from src_feedback_texts as feedback_texts
    where received_on >= :quarter_start and received_on < :quarter_end
    union all
    select 'mystery_shop_visits' as source, count(*) as source_rows
    from src_mystery_shop_visits as mystery_shop_visits
    where visited_on >= :quarter_start and visited_on < :quarter_end
),

final as (
    select * from counts
)

select * from final
