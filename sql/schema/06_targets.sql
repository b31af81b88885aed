-- KPI targets (red/amber/green thresholds), set by the business, read by every run.

create table if not exists kpi_targets (
    metric            text not null,
    scope             text not null,
    valid_from        text not null,
    target_value      double precision not null,
    amber_value       double precision not null,
    is_higher_better  smallint not null check (is_higher_better in (0, 1)),
    primary key (metric, scope, valid_from)
);
