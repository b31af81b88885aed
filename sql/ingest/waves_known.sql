-- Grain: one row per survey wave already in the warehouse among the file's waves.
select wave_id, fielded_from, fielded_to
from survey_waves
where wave_id in :wave_ids
