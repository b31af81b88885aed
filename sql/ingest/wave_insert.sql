-- A wave first seen in an export: fielded over its responses' dates; invitations unknown.
insert into survey_waves (
    wave_id, quarter, fielded_from, fielded_to, item_bank_version, invited_count
) values (
    :wave_id, :quarter, :fielded_from, :fielded_to, :item_bank_version, null
)
