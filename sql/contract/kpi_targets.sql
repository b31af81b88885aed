-- Rules of the `kpi_targets` relation (docs/data-contract.md), over every target. valid_from
-- is a quarter written YYYY-QN; the amber threshold lies on the worse side of the target.
with checked as (
    select
        coalesce(metric, '(null)') || '/' || coalesce(scope, '(null)') || '/'
            || coalesce(valid_from, '(null)') as example_key,
        case
            when valid_from is null then 1
            when length(valid_from) = 7
                and substr(valid_from, 1, 1) between '0' and '9'
                and substr(valid_from, 2, 1) between '0' and '9'
                and substr(valid_from, 3, 1) between '0' and '9'
                and substr(valid_from, 4, 1) between '0' and '9'
                and substr(valid_from, 5, 2) = '-Q'
                and substr(valid_from, 7, 1) in ('1', '2', '3', '4')
                then 0
            else 1
        end as valid_from_form,
        case
            when is_higher_better is null or is_higher_better not in (0, 1) then 1 else 0
        end as direction_accepted,
        case
            when target_value is null or amber_value is null then 1
            when is_higher_better = 1 and amber_value > target_value then 1
            when is_higher_better = 0 and amber_value < target_value then 1
            else 0
        end as amber_order
    from src_kpi_targets
),

violations as materialized (
    select * from checked where valid_from_form + direction_accepted + amber_order > 0
),

duplicates as (
    select metric || '/' || scope || '/' || valid_from as example_key
    from src_kpi_targets
    group by metric, scope, valid_from
    having count(*) > 1
),

broken as (
    select 'valid_from.form' as rule, example_key from violations where valid_from_form = 1
    union all
    select 'is_higher_better.accepted' as rule, example_key
    from violations where direction_accepted = 1
    union all
    select 'amber_value.order' as rule, example_key from violations where amber_order = 1
    union all
    select 'metric.scope.valid_from.unique' as rule, example_key from duplicates
),

-- include: contract/parts/examples
