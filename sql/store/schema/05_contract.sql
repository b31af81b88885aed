-- Warnings of the data contract's check for a quarter (errors stop the run and are never
-- stored): one row per failed warning rule, replaced by each run's check. The computation
-- carries them into the results (contract.<relation>.<rule>), the appendix and the manifest.
create table if not exists contract_warnings (
    quarter     text not null,
    relation    text not null,
    rule        text not null,
    failed      bigint not null,
    examples    text not null,
    message     text not null,
    run_id      text not null,
    primary key (quarter, relation, rule)
);

-- One row per checked quarter: how many rules the latest check applied (so the appendix can
-- say "passed every rule" only of a quarter that was checked).
create table if not exists contract_checks (
    quarter         text primary key,
    rules_checked   integer not null,
    warnings        integer not null,
    run_id          text not null
);
