-- Rules of the `survey_items` relation (docs/data-contract.md), over every item. The scales
-- the run scores with come from the item bank file (SATISFACTION_ITEM_BANK); the warehouse's
-- copy must at least be well formed. One row per broken rule and example item.
with checked as (
    select
        coalesce(item_bank_version, '(null)') || '/' || coalesce(item_code, '(null)')
            as example_key,
        case when item_code is null or item_code = '' then 1 else 0 end as code_not_null,
        case
            when scale_min is null or scale_max is null or scale_max <= scale_min then 1 else 0
        end as scale_order,
        case
            when is_reverse is null or is_reverse not in (0, 1) then 1 else 0
        end as reverse_accepted
    from src_survey_items
),

violations as materialized (
    select * from checked where code_not_null + scale_order + reverse_accepted > 0
),

broken as (
    select 'item_code.not_null' as rule, example_key from violations where code_not_null = 1
    union all
    select 'scale_max.above_min' as rule, example_key from violations where scale_order = 1
    union all
    select 'is_reverse.accepted' as rule, example_key from violations where reverse_accepted = 1
),

-- include: contract/parts/examples
