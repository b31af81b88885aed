-- Grain: up to five answers of the quarter's wave (:wave_id) to one item (:item_code) whose
-- score lies outside [:scale_min, :scale_max]: the example keys of a failed scale rule.
with
-- include: contract/parts/wave_answers

final as (
    select response_id, item_code, score from wave_answers
    where item_code = :item_code and (score < :scale_min or score > :scale_max)
)

select * from final
order by response_id
limit 5
