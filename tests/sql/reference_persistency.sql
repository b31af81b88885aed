-- An independent implementation of 13/25-month persistency (docs/methods.md §5), for SQLite
-- only, written apart from sql/queries/kpi_persistency.sql: the anniversary as a date
-- (SQLite date arithmetic, a 31st without counterpart moved to the 1st of the next month),
-- the grace period by julianday, one correlated subquery per policy.
with cohort as (
    select
        policy_id,
        branch_code,
        premium_cny,
        issued_on,
        lapsed_on,
        surrendered_on,
        matured_on,
        :horizon as horizon,
        min(
            date(issued_on, 'start of month', '+' || :horizon || ' months',
                '+' || (cast(strftime('%d', issued_on) as integer) - 1) || ' days'),
            date(issued_on, 'start of month', '+' || (:horizon + 1) || ' months')
        ) as anniversary
    from policies
    where premium_mode = 'regular' and issued_on >= :cohort_start and issued_on < :cohort_end
),

judged as (
    select
        branch_code,
        premium_cny,
        case
            when exists (
                select 1 from premium_payments as pay
                where pay.policy_id = cohort.policy_id
                    and pay.installment_no = case when cohort.horizon = 13 then 2 else 3 end
                    and pay.paid_on < :quarter_end
                    and julianday(pay.paid_on) - julianday(pay.due_on) <= :grace_days
            )
            and coalesce(lapsed_on, '9999-12-31') >= anniversary
            and coalesce(surrendered_on, '9999-12-31') >= anniversary
            and coalesce(matured_on, '9999-12-31') >= anniversary
                then 1 else 0
        end as retained
    from cohort
)

select 'company' as scope, avg(retained) as by_count,
    sum(retained * premium_cny) / sum(premium_cny) as by_premium, count(*) as cohort
from judged
union all
select branch_code as scope, avg(retained), sum(retained * premium_cny) / sum(premium_cny),
    count(*)
from judged
group by branch_code
