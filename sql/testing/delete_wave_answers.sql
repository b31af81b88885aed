-- Test support: remove a wave's answers, so an export can bring the wave in anew.
delete from survey_answers
where response_id in (select response_id from survey_responses where wave_id = :wave_id)
