-- Test support: the whole survey_waves table, copied into a PostgreSQL test warehouse.
select * from survey_waves
