-- The demo generator's mark on the warehouse it built: the demo insurer's brand belongs to
-- this data only. A warehouse without this table is real data and never gets that brand.
create table if not exists demo_warehouse (
    brand             text not null,
    seed              bigint not null,
    through_quarter   text not null
)
