-- Grain: one row per input relation: the rows the quarter [:quarter_start, :quarter_end) has
-- (minimum counts) and whether any row is dated in its last days [:fresh_from, :quarter_end)
-- (freshness: data present up to the quarter's end). Policies: whether any is in force at
-- the quarter's end; the survey counts the quarter's wave (:wave_id). Existence is asked with
-- LIMIT 1, so a large relation is read only until the first row that answers.
with facts as (
    select 'branches' as relation, count(*) as quarter_rows, 1 as recent from src_branches
    union all
    select 'channels' as relation, count(*) as quarter_rows, 1 as recent from src_channels
    union all
    select 'product_lines' as relation, count(*) as quarter_rows, 1 as recent
    from src_product_lines
    union all
    select 'kpi_targets' as relation, count(*) as quarter_rows, 1 as recent from src_kpi_targets
    union all
    select 'survey_waves' as relation, count(*) as quarter_rows, 1 as recent
    from src_survey_waves
    where wave_id = :wave_id
    union all
    select 'survey_responses' as relation, count(*) as quarter_rows, 1 as recent
    from src_survey_responses
    where wave_id = :wave_id
    union all
    select 'policies' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_policies
        where issued_on < :quarter_end
            and (lapsed_on is null or lapsed_on >= :quarter_end)
            and (surrendered_on is null or surrendered_on >= :quarter_end)
            and (matured_on is null or matured_on >= :quarter_end)
        limit 1
    ) as in_force
    union all
    select 'policies_recent' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_policies
        where issued_on >= :fresh_from and issued_on < :quarter_end
        limit 1
    ) as latest
    union all
    select 'premium_payments' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_premium_payments
        where paid_on >= :fresh_from and paid_on < :quarter_end
        limit 1
    ) as latest
    union all
    select 'claims' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_claims
        where reported_on >= :fresh_from and reported_on < :quarter_end
        limit 1
    ) as latest
    union all
    select 'complaints' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_complaints
        where received_on >= :fresh_from and received_on < :quarter_end
        limit 1
    ) as latest
    union all
    select 'feedback_texts' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_feedback_texts
        where received_on >= :fresh_from and received_on < :quarter_end
        limit 1
    ) as latest
    union all
    select 'mystery_shop_visits' as relation, count(*) as quarter_rows, 1 as recent
    from (
        select 1 as found from src_mystery_shop_visits
        where visited_on >= :fresh_from and visited_on < :quarter_end
        limit 1
    ) as latest
),

final as (
    select relation, quarter_rows from facts
)

select * from final
