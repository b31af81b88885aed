-- Grain: one row per survey wave in the warehouse (wave_id like 2026-Q3).
with

waves as (
    select wave_id from src_survey_waves as survey_waves
),

final as (
    select wave_id from waves
)

select * from final
order by wave_id
