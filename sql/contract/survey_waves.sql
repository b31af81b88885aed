-- Rules of the `survey_waves` relation (docs/data-contract.md), over every wave. A wave id is
-- its quarter written YYYY-QN (2026-Q3): the run finds a quarter's wave by that text, so a
-- wave keyed 2026Q3 or 2026-q3 would be silently ignored. One row per broken rule and
-- example wave (at most five per rule).
with checked as (
    select
        coalesce(wave_id, '(null)') as example_key,
        case when wave_id is null then 1 else 0 end as id_not_null,
        case
            when wave_id is null then 0
            when length(wave_id) = 7
                and substr(wave_id, 1, 1) between '0' and '9'
                and substr(wave_id, 2, 1) between '0' and '9'
                and substr(wave_id, 3, 1) between '0' and '9'
                and substr(wave_id, 4, 1) between '0' and '9'
                and substr(wave_id, 5, 2) = '-Q'
                and substr(wave_id, 7, 1) in ('1', '2', '3', '4')
                then 0
            else 1
        end as id_form,
        case
            when quarter is null or quarter <> wave_id then 1 else 0
        end as quarter_matches,
        case
            when fielded_from is null or fielded_to is null or fielded_to < fielded_from
                then 1 else 0
        end as fielded_order,
        case
            when item_bank_version is null or item_bank_version = '' then 1 else 0
        end as version_not_null,
        case when invited_count < 0 then 1 else 0 end as invited_range
    from src_survey_waves
),

violations as materialized (
    select * from checked
    where id_not_null + id_form + quarter_matches + fielded_order + version_not_null
        + invited_range > 0
),

duplicates as (
    select wave_id as example_key
    from src_survey_waves
    group by wave_id
    having count(*) > 1
),

broken as (
    select 'wave_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'wave_id.form' as rule, example_key from violations where id_form = 1
    union all
    select 'wave_id.unique' as rule, example_key from duplicates
    union all
    select 'quarter.matches_wave_id' as rule, example_key
    from violations where quarter_matches = 1
    union all
    select 'fielded_to.after_from' as rule, example_key from violations where fielded_order = 1
    union all
    select 'item_bank_version.not_null' as rule, example_key
    from violations where version_not_null = 1
    union all
    select 'invited_count.range' as rule, example_key from violations where invited_range = 1
),

-- include: contract/parts/examples
