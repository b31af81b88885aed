-- Claims (报案 → 立案 → 结案 → 赔付) and complaints (受理 → 办结).

create table if not exists claims (
    claim_id          bigint primary key,
    policy_id         bigint not null references policies (policy_id),
    reported_on       date not null,
    registered_on     date,
    closed_on         date,
    paid_on           date,
    outcome           text check (outcome in ('paid', 'denied', 'withdrawn')),
    claimed_cny       numeric(18, 2) not null check (claimed_cny >= 0),
    paid_cny          numeric(18, 2)
);

create table if not exists complaints (
    complaint_id      bigint primary key,
    policy_id         bigint references policies (policy_id),
    branch_code       text not null references branches (branch_code),
    channel_code      text references channels (channel_code),
    received_on       date not null,
    due_on            date not null,
    resolved_on       date,
    category          text not null,
    dimension         text not null,
    is_complex        smallint not null default 0 check (is_complex in (0, 1)),
    outcome           text check (outcome in ('upheld', 'partly_upheld', 'not_upheld', 'withdrawn'))
);
