-- Test support: the whole channels table, copied into a PostgreSQL test warehouse.
select * from channels
