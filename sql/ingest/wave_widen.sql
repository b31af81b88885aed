-- A later file of a wave widens its fielding dates to cover its responses.
update survey_waves
set fielded_from = :fielded_from, fielded_to = :fielded_to
where wave_id = :wave_id
