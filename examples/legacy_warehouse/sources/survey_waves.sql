-- Legacy core system → the data contract (docs/data-contract.md).
select
    wave_cd as wave_id,
    wave_qtr as quarter,
    date(substr(start_date, 1, 4) || '-' || substr(start_date, 5, 2) || '-' || substr(start_date, 7, 2))
        as fielded_from,
    date(substr(end_date, 1, 4) || '-' || substr(end_date, 5, 2) || '-' || substr(end_date, 7, 2))
        as fielded_to,
    bank_ver as item_bank_version,
    invite_cnt as invited_count
from svy_wave
