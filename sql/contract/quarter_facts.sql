-- Grain: one row per input relation: the rows the quarter [:quarter_start, :quarter_end) has
-- (minimum counts) and the latest date before its end (freshness: data present up to the
-- quarter's end). Policies count those in force at the quarter's end; the survey counts the
-- quarter's wave (:wave_id). latest_on is ISO text on both databases.
with facts as (
    select 'branches' as relation, count(*) as quarter_rows, cast(null as text) as latest_on
    from src_branches
    union all
    select 'channels' as relation, count(*) as quarter_rows, cast(null as text) as latest_on
    from src_channels
    union all
    select 'product_lines' as relation, count(*) as quarter_rows, cast(null as text) as latest_on
    from src_product_lines
    union all
    select
        'policies' as relation,
        sum(
            case
                when (lapsed_on is null or lapsed_on >= :quarter_end)
                    and (surrendered_on is null or surrendered_on >= :quarter_end)
                    and (matured_on is null or matured_on >= :quarter_end)
                    then 1 else 0
            end
        ) as quarter_rows,
        cast(max(issued_on) as text) as latest_on
    from src_policies
    where issued_on < :quarter_end
    union all
    select
        'premium_payments' as relation,
        count(*) as quarter_rows,
        cast(max(paid_on) as text) as latest_on
    from src_premium_payments
    where paid_on >= :quarter_start and paid_on < :quarter_end
    union all
    select
        'claims' as relation,
        count(*) as quarter_rows,
        cast(max(reported_on) as text) as latest_on
    from src_claims
    where reported_on >= :quarter_start and reported_on < :quarter_end
    union all
    select
        'complaints' as relation,
        count(*) as quarter_rows,
        cast(max(received_on) as text) as latest_on
    from src_complaints
    where received_on >= :quarter_start and received_on < :quarter_end
    union all
    select 'survey_waves' as relation, count(*) as quarter_rows, cast(null as text) as latest_on
    from src_survey_waves
    where wave_id = :wave_id
    union all
    select
        'survey_responses' as relation,
        count(*) as quarter_rows,
        cast(max(responded_on) as text) as latest_on
    from src_survey_responses
    where wave_id = :wave_id
    union all
    select
        'feedback_texts' as relation,
        count(*) as quarter_rows,
        cast(max(received_on) as text) as latest_on
    from src_feedback_texts
    where received_on >= :quarter_start and received_on < :quarter_end
    union all
    select
        'mystery_shop_visits' as relation,
        count(*) as quarter_rows,
        cast(max(visited_on) as text) as latest_on
    from src_mystery_shop_visits
    where visited_on >= :quarter_start and visited_on < :quarter_end
    union all
    select 'kpi_targets' as relation, count(*) as quarter_rows, cast(null as text) as latest_on
    from src_kpi_targets
),

final as (
    select relation, coalesce(quarter_rows, 0) as quarter_rows, latest_on from facts
)

select * from final
