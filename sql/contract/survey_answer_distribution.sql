-- Grain: one row per (item, score) answered in the quarter's wave (:wave_id), with how many
-- answers and respondents. A few hundred rows however large the wave: the scale, plausibility
-- and coverage rules are judged on it in memory against the item bank file.
with
-- include: contract/parts/wave_answers

final as (
    select
        item_code,
        score,
        count(*) as answers
    from wave_answers
    where score is not null and item_code is not null
    group by item_code, score
)

select * from final
order by item_code, score
