-- Computed results keyed by (quarter, scope, metric): trends read this history, reruns replace.

create table if not exists results (
    quarter           text not null,
    scope             text not null,
    metric            text not null,
    value             double precision,
    lower_bound       double precision,
    upper_bound       double precision,
    n                 integer,
    n_effective       double precision,
    flag              text,
    note              text,
    run_id            text not null,
    primary key (quarter, scope, metric)
);
