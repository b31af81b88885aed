-- Reference dimensions: branches, channels, product lines.
-- Portable DDL: runs unchanged on SQLite and PostgreSQL (dates are DATE, flags smallint 0/1).

create table if not exists branches (
    branch_code      text primary key,
    name_zh          text not null,
    name_en          text not null,
    region_zh        text not null,
    region_en        text not null
);

create table if not exists channels (
    channel_code     text primary key,
    name_zh          text not null,
    name_en          text not null
);

create table if not exists product_lines (
    product_line_code text primary key,
    name_zh          text not null,
    name_en          text not null
);
