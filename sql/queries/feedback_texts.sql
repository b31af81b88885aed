-- Grain: one row per feedback text (survey comment, online message, social-media mention)
-- received in [:quarter_start, :quarter_end).
with feedback as (
    select
        feedback_id,
        source,
        received_on,
        branch_code,
        body
    from src_feedback_texts as feedback_texts
    where received_on >= :quarter_start
        and received_on < :quarter_end
),

final as (
    select * from feedback
)

select * from final
order by received_on, feedback_id
