-- Test support: remove a wave's responses (after its answers).
delete from survey_responses
where wave_id = :wave_id
