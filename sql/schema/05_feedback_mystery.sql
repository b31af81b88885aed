-- Continuous feedback texts and mystery-shopper visits.

create table if not exists feedback_texts (
    feedback_id       bigint primary key,
    source            text not null check (source in ('survey_comment', 'online_message', 'social_media')),
    received_on       date not null,
    branch_code       text references branches (branch_code),
    policy_id         bigint references policies (policy_id),
    body              text not null
);

create table if not exists mystery_shop_visits (
    visit_id          bigint primary key,
    branch_code       text not null references branches (branch_code),
    channel_code      text not null references channels (channel_code),
    visited_on        date not null,
    scenario          text not null
);

create table if not exists mystery_shop_results (
    visit_id          bigint not null references mystery_shop_visits (visit_id),
    checklist_item    text not null,
    is_passed         smallint not null check (is_passed in (0, 1)),
    primary key (visit_id, checklist_item)
);
