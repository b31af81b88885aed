-- Rules of the `premium_payments` relation (docs/data-contract.md) for the instalments the
-- KPIs read: due or paid in the four quarters [:window_start, :quarter_end) — written premium,
-- and the 2nd and 3rd instalments persistency counts, which fall due in that window (one row
-- per policy and instalment, or a policy counts twice). Two reads the canonical schema answers
-- from indexes (sql/schema/08_indexes.sql): `suspects`, whose WHERE is the predicate of the
-- partial index ix_payments_contract (only instalments that break a row rule), and the 2nd and
-- 3rd instalments grouped along ix_payments_persistency. One row per broken rule and example
-- payment (at most five per rule).
with suspects as materialized (
    select payment_id, policy_id, installment_no, due_on, paid_on, amount_cny
    from src_premium_payments
    where payment_id is null or policy_id is null
        or installment_no is null or installment_no < 1
        or due_on is null
        or amount_cny is null or amount_cny < 0
),

in_window as (
    select * from suspects
    where (due_on >= :window_start and due_on < :quarter_end)
        or (paid_on >= :window_start and paid_on < :quarter_end)
),

checked as (
    select
        coalesce(cast(payment_id as text), '(null)') as example_key,
        case when payment_id is null then 1 else 0 end as id_not_null,
        case when policy_id is null then 1 else 0 end as policy_not_null,
        case
            when installment_no is null or installment_no < 1 then 1 else 0
        end as installment_range,
        case when due_on is null then 1 else 0 end as due_not_null,
        case when amount_cny is null or amount_cny < 0 then 1 else 0 end as amount_range
    from in_window
),

violations as materialized (
    select * from checked
    where id_not_null + policy_not_null + installment_range + due_not_null + amount_range > 0
),

duplicates as (
    select cast(policy_id as text) || '#' || cast(installment_no as text) as example_key
    from src_premium_payments
    where installment_no in (2, 3)
        and due_on >= :window_start
        and due_on < :quarter_end
    group by policy_id, installment_no
    having count(*) > 1
),

broken as (
    select 'payment_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'policy_id.not_null' as rule, example_key from violations where policy_not_null = 1
    union all
    select 'installment_no.range' as rule, example_key
    from violations where installment_range = 1
    union all
    select 'due_on.not_null' as rule, example_key from violations where due_not_null = 1
    union all
    select 'amount_cny.range' as rule, example_key from violations where amount_range = 1
    union all
    select 'policy_id.installment_no.unique' as rule, example_key from duplicates
),

-- include: contract/parts/examples
