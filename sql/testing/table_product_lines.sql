-- Test support: the whole product_lines table, copied into a PostgreSQL test warehouse.
select * from product_lines
