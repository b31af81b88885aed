-- Rules of the `mystery_shop_results` relation (docs/data-contract.md) for the checklists of
-- the visits made in [:quarter_start, :quarter_end). One row per broken rule and example.
with in_quarter as not materialized (
    select
        results.visit_id,
        results.checklist_item,
        results.is_passed
    from src_mystery_shop_results as results
    inner join src_mystery_shop_visits as visits on visits.visit_id = results.visit_id
    where visits.visited_on >= :quarter_start
        and visits.visited_on < :quarter_end
),

failed_values as (
    select
        cast(visit_id as text) || '/' || coalesce(checklist_item, '(null)') as example_key
    from in_quarter
    where is_passed is null or is_passed not in (0, 1)
),

duplicates as (
    select cast(visit_id as text) || '/' || checklist_item as example_key
    from in_quarter
    group by visit_id, checklist_item
    having count(*) > 1
),

broken as (
    select 'is_passed.accepted' as rule, example_key from failed_values
    union all
    select 'visit_id.checklist_item.unique' as rule, example_key from duplicates
),

-- include: contract/parts/examples
