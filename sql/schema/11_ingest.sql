-- Ingest: the registry of files read from the inbox, what each quarantined and why, and the
-- source systems' own response ids. Times are ISO-8601 text in UTC, as elsewhere.

-- One row per file content (sha256): the same file again loads nothing new.
create table if not exists ingest_files (
    file_sha256       text primary key,
    file_name         text not null,
    kind              text not null check (kind in ('survey', 'feedback', 'mystery_shop')),
    format            text not null,
    source            text not null,
    encoding          text,
    status            text not null check (status in ('loaded', 'rejected')),
    reason            text,
    rows_in           integer not null default 0,
    rows_loaded       integer not null default 0,
    rows_quarantined  integer not null default 0,
    rows_flagged      integer not null default 0,
    cells_truncated   integer not null default 0,
    received_at       text not null,
    run_id            text
);

-- One row per broken cell of a rejected row (a row may break several rules). `quarter` is
-- the quarter the file loads into (its wave, or the quarter most of its rows fall in).
create table if not exists ingest_quarantine (
    file_sha256       text not null,
    file_name         text not null,
    row_number        integer not null,
    column_name       text,
    value             text,
    rule              text not null,
    message           text not null,
    quarter           text
);

-- Cells loaded but changed on the way in (a comment cut to the configured length).
create table if not exists ingest_cell_notes (
    file_sha256       text not null,
    file_name         text not null,
    row_number        integer not null,
    column_name       text not null,
    value             text,
    rule              text not null,
    message           text not null
);

-- What each loaded file gave each quarter: the appendix's lineage per source.
create table if not exists ingest_file_quarters (
    file_sha256       text not null,
    kind              text not null,
    quarter           text not null,
    rows_loaded       integer not null,
    rows_quarantined  integer not null,
    rows_flagged      integer not null,
    primary key (file_sha256, kind, quarter)
);

-- A source system's response id (text, e.g. Qualtrics R_2YPOQ602ER1jkf1) → the warehouse key.
create table if not exists survey_response_sources (
    response_id        bigint primary key references survey_responses (response_id),
    source             text not null,
    source_response_id text not null,
    file_sha256        text not null,
    unique (source, source_response_id)
);

create index if not exists ix_quarantine_file on ingest_quarantine (file_sha256);
create index if not exists ix_quarantine_quarter on ingest_quarantine (quarter);
