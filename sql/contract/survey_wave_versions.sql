-- Grain: the quarter's wave (:wave_id) and the item bank version it was fielded with.
with waves as (
    select wave_id, item_bank_version
    from src_survey_waves
    where wave_id = :wave_id
),

final as (
    select * from waves
)

select * from final
