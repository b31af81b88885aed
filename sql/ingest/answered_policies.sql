-- Grain: one row per (wave, policy) that already has a response, for the file's policies.
select distinct wave_id, policy_id
from survey_responses
where policy_id in :policy_ids
