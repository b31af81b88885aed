-- Grain: one row per source response id already loaded from this source, with its file.
select sources.source_response_id, files.file_name
from survey_response_sources as sources
inner join ingest_files as files on files.file_sha256 = sources.file_sha256
where sources.source = :source
    and sources.source_response_id in :source_ids
