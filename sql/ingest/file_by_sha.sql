-- Grain: the registry row of one file content, if it was seen before.
select file_name, status, reason, rows_in, rows_loaded, rows_quarantined, rows_flagged,
    received_at
from ingest_files
where file_sha256 = :file_sha256
