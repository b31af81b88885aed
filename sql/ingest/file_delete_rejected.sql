-- A rejected file tried again (e.g. with a corrected mapping): its earlier rejection goes.
delete from ingest_files
where file_sha256 = :file_sha256 and status = 'rejected'
