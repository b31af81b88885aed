-- Grain: one row per quarantined cell of one file, in file order.
select row_number, column_name, value, rule, message
from ingest_quarantine
where file_sha256 = :file_sha256
order by row_number, column_name
