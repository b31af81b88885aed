-- One registry row per file content; written in the same transaction as the file's rows.
insert into ingest_files (
    file_sha256, file_name, kind, format, source, encoding, status, reason, rows_in,
    rows_loaded, rows_quarantined, rows_flagged, cells_truncated, received_at, run_id
) values (
    :file_sha256, :file_name, :kind, :format, :source, :encoding, :status, :reason, :rows_in,
    :rows_loaded, :rows_quarantined, :rows_flagged, :cells_truncated, :received_at, :run_id
)
