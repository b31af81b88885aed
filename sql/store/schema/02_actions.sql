-- Improvement actions (SMART plan): raised by runs, followed up by later ones. Results store.

create table if not exists improvement_actions (
    action_id         text primary key,
    quarter_raised    text not null,
    scope             text not null,
    subject           text not null,
    issue             text not null,
    evidence          text not null,
    department        text not null,
    owner             text not null,
    due_on            date not null,
    target_metric     text not null,
    target_value      double precision not null,
    is_higher_better  smallint not null default 1 check (is_higher_better in (0, 1)),
    status            text not null check (status in ('open', 'in_progress', 'done', 'dropped'))
);

-- What a person did to an action (accept, edit, reassign, close), oldest first: the history
-- the plan keeps. A run never overwrites an action that has an event; it only reads it.
create table if not exists action_events (
    action_id   text not null,
    event_no    integer not null,
    changed_on  date not null,
    changed_by  text not null,
    status      text not null check (status in ('open', 'in_progress', 'done', 'dropped')),
    department  text not null,
    owner       text not null,
    due_on      date not null,
    target_value double precision not null,
    changes     text not null,
    note        text not null,
    primary key (action_id, event_no)
);
