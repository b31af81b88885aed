-- The policy book and its premium payments.

create table if not exists policies (
    policy_id         bigint primary key,
    policy_no         text not null unique,
    customer_id       bigint not null,
    branch_code       text not null references branches (branch_code),
    channel_code      text not null references channels (channel_code),
    product_line_code text not null references product_lines (product_line_code),
    issued_on         date not null,
    premium_cny       numeric(18, 2) not null check (premium_cny >= 0),
    premium_mode      text not null check (premium_mode in ('regular', 'single')),
    status            text not null check (status in ('in_force', 'lapsed', 'surrendered', 'matured')),
    lapsed_on         date,
    surrendered_on    date,
    matured_on        date,
    surrender_paid_cny numeric(18, 2)
);

create table if not exists premium_payments (
    payment_id        bigint primary key,
    policy_id         bigint not null references policies (policy_id),
    installment_no    integer not null check (installment_no >= 1),
    due_on            date not null,
    paid_on           date,
    amount_cny        numeric(18, 2) not null check (amount_cny >= 0)
);
