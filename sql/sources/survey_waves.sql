-- The `survey_waves` relation of the data contract (docs/data-contract.md), read from the canonical
-- table of the same name. Replace this file to map an insurer's own tables and columns.
select
    wave_id,
    quarter,
    fielded_from,
    fielded_to,
    item_bank_version,
    invited_count
from survey_waves
