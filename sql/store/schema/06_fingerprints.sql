-- Fingerprints of what was read, so a rerun over unchanged inputs recognises its work as done
-- without doing it again (docs/operations.md, "A second run").

-- One row per revision of a report: sha256 of its sources (stored results of the trailing
-- quarters, findings, scope names, settings, item bank, templates, code and library versions),
-- computed without rendering. Same sources and the recorded file intact: nothing is rendered.
create table if not exists report_sources (
    quarter           text not null,
    scope             text not null,
    language          text not null,
    revision          integer not null,
    sources_sha256    text not null,
    primary key (quarter, scope, language, revision)
);

-- One row per computed quarter: sha256 of the inputs the computation read (warehouse rows,
-- stored history, earlier actions, the check's warnings), the settings, item bank and code.
-- Same inputs as stored: the quarter's results stand and nothing is recomputed.
create table if not exists quarter_inputs (
    quarter           text primary key,
    inputs_sha256     text not null,
    run_id            text not null
);
