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
