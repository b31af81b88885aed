-- Test support: the whole branches table, copied into a PostgreSQL test warehouse.
select * from branches
