-- Survey waves, the item bank and responses in long format (response × item).

create table if not exists survey_waves (
    wave_id           text primary key,
    quarter           text not null,
    fielded_from      date not null,
    fielded_to        date not null,
    item_bank_version text not null,
    invited_count     integer
);

create table if not exists survey_items (
    item_bank_version text not null,
    item_code         text not null,
    dimension         text not null,
    text_zh           text not null,
    text_en           text not null,
    scale_min         integer not null,
    scale_max         integer not null,
    is_reverse        smallint not null default 0 check (is_reverse in (0, 1)),
    primary key (item_bank_version, item_code)
);

create table if not exists survey_responses (
    response_id       bigint primary key,
    wave_id           text not null references survey_waves (wave_id),
    policy_id         bigint references policies (policy_id),
    branch_code       text not null references branches (branch_code),
    channel_code      text not null references channels (channel_code),
    product_line_code text not null references product_lines (product_line_code),
    responded_on      date not null,
    comment_text      text,
    -- Set by ingest for responses loaded but left out of the indices by default:
    -- 'speeder', 'straight_lining' or both (comma-separated); null for a sound response.
    quality_flag      text
);

create table if not exists survey_answers (
    response_id       bigint not null references survey_responses (response_id),
    item_code         text not null,
    score             integer not null,
    primary key (response_id, item_code)
);
