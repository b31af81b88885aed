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

-- One row per (quarter, scope, recipient, PDF checksum). A row is written as `pending` before
-- the message is handed to the server, so a crash or an SMTP outage loses nothing; `delivered`
-- rows stop a retry or a rerun from sending the same file to the same person again; `held`
-- marks a new revision not sent to someone who already has an earlier one (needs `resend`).
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
    status            text not null check (status in ('pending', 'delivered', 'failed', 'held')),
    error             text,
    attempts          integer not null default 0,
    times_sent        integer not null default 0,
    message_id        text,
    sent_at           text,
    updated_at        text not null,
    run_id            text not null,
    primary key (quarter, scope, recipient, pdf_sha256)
);

create index if not exists ix_delivery_log_quarter on delivery_log (quarter, scope);
