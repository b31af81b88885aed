-- Test support: remove the wave itself (after its responses).
delete from survey_waves
where wave_id = :wave_id
