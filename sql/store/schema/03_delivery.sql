-- Report revisions and the delivery log: what was rendered, and who received which file.

-- One row per revision of a (quarter, scope, language) report. A rerun over unchanged inputs
-- keeps the latest revision (and its date, which is printed on the cover); changed inputs add
-- the next number. Times are ISO-8601 text in UTC, dates ISO text, as elsewhere.
create table if not exists report_revisions (
    quarter           text not null,
    scope             text not null,
    language          text not null,
    revision          integer not null check (revision >= 1),
    inputs_sha256     text not null,
    pdf_sha256        text,
    pdf_bytes         bigint,
    reason            text,
    made_on           date not null,
    run_id            text not null,
    primary key (quarter, scope, language, revision)
);

-- One row per (quarter, scope, recipient, PDF checksum), a small state machine:
--   pending   planned, not yet handed to the server (a crash or an outage loses nothing)
--   sending   claimed by one delivery attempt (claimed_by, lease_until), committed before the
--             SMTP transaction starts; a row still `sending` when the next attempt holds the
--             quarter's delivery lock was interrupted inside the transaction
--   uncertain the server may or may not have accepted it (connection lost after DATA, or an
--             interrupted attempt); sent once more with the same Message-ID, counted in
--             `interrupted` so the log and the manifest show the possible duplicate
--   delivered the server accepted it (message_id, sent_at); never sent again without `resend`
--   failed    refused for good (5xx, a bad address, an unknown scope), with the reason
--   held      a new revision not sent to someone who has an earlier one (needs `resend`)
-- pdf_sha256 is '' when no file could be matched (an unknown scope in the distribution list).
create table if not exists delivery_log (
    quarter           text not null,
    scope             text not null,
    recipient         text not null,
    pdf_sha256        text not null,
    language          text not null,
    revision          integer,
    file_name         text,
    role              text not null check (role in ('to', 'cc')),
    channel           text not null check (channel in ('smtp', 'outbox', 'none')),
    status            text not null check (
        status in ('pending', 'sending', 'uncertain', 'delivered', 'failed', 'held')
    ),
    error             text,
    attempts          integer not null default 0,
    times_sent        integer not null default 0,
    interrupted       integer not null default 0,
    message_id        text,
    claimed_by        text,
    lease_until       text,
    sent_at           text,
    updated_at        text not null,
    run_id            text not null,
    primary key (quarter, scope, recipient, pdf_sha256)
);

create index if not exists ix_delivery_log_quarter on delivery_log (quarter, scope);

-- The quarter's delivery lock: one delivery attempt at a time per quarter, whatever started it
-- (the scheduler, `dags test`, `tasks test`, the CLI). `holder` is unique per attempt; the lease
-- is renewed between messages, so a killed attempt's lock expires and the next one takes over.
create table if not exists delivery_locks (
    quarter           text primary key,
    holder            text not null,
    lease_until       text not null,
    acquired_at       text not null
);

-- Published reports of a later quarter made stale by a correction to an earlier one: its
-- trends, changes or action follow-up read figures that have since moved. Shown with the
-- reason in the manifest, the index and the Reports page until the quarter is computed again.
create table if not exists report_staleness (
    quarter      text not null,
    because_of   text not null,
    reason       text not null,
    run_id       text not null,
    primary key (quarter, because_of)
);

-- The headline figures each revision of a report printed, and those that moved since the
-- revision before it (JSON): the cover of the new revision and the manifest say what changed.
create table if not exists revision_figures (
    quarter      text not null,
    scope        text not null,
    language     text not null,
    revision     integer not null,
    figures      text not null,
    changed      text not null,
    primary key (quarter, scope, language, revision)
);
