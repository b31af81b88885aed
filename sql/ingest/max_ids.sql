-- Grain: one row: the highest warehouse keys, so new rows continue the numbering.
select
    (select coalesce(max(response_id), 0) from survey_responses) as response_id,
    (select coalesce(max(feedback_id), 0) from feedback_texts) as feedback_id,
    (select coalesce(max(visit_id), 0) from mystery_shop_visits) as visit_id
