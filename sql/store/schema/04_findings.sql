-- Structured findings of a computed quarter that are not single figures: voice-of-the-customer
-- themes and quotes per scope, and the follow-up of earlier improvement actions. Written in
-- the same transaction as the results; a rerun replaces the quarter's rows.

create table if not exists voc_themes (
    quarter     text not null,
    scope       text not null,
    dimension   text not null,
    texts       integer not null,
    negative    integer not null,
    positive    integer not null,
    previous    integer not null,
    change      integer not null,
    primary key (quarter, scope, dimension)
);

create table if not exists voc_quotes (
    quarter     text not null,
    scope       text not null,
    position    integer not null,
    dimension   text not null,
    sentiment   text not null,
    source      text not null,
    quote_text  text not null,
    primary key (quarter, scope, position)
);

create table if not exists action_follow_ups (
    quarter         text not null,
    scope           text not null,
    action_id       text not null,
    measured_value  double precision,
    target_status   text not null check (target_status in ('met', 'not_met', 'no_data')),
    primary key (quarter, action_id)
);

create table if not exists action_proposals (
    quarter         text not null,
    scope           text not null,
    position        integer not null,
    action_id       text not null,
    current_value   double precision,
    primary key (quarter, scope, position)
);

-- A trigger of the quarter (a red KPI, a 'concentrate here' dimension, a decline) that an
-- action still open already covers: the page says which one instead of raising a second.
create table if not exists action_coverage (
    quarter         text not null,
    scope           text not null,
    subject         text not null,
    reason          text not null,
    current_value   double precision,
    action_id       text not null,
    primary key (quarter, scope, subject)
);
