-- Test support: the first 500 policies, copied into a PostgreSQL test warehouse.
select * from policies
order by policy_id
limit 500
