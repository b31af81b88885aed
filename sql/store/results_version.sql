-- Grain: one row per quarter of the stored results for some quarters: how many rows, which
-- runs wrote them and sums over every column. A cheap check, in one process, that results
-- read a moment ago are still what the store holds (any write changes a run id or a sum).
with

results_ as (
    select * from results
    where quarter in :quarters
),

final as (
    select
        quarter,
        count(*) as rows_stored,
        min(run_id) as first_run_id,
        max(run_id) as last_run_id,
        count(distinct run_id) as runs,
        sum(value) as value_sum,
        sum(lower_bound) as lower_bound_sum,
        sum(upper_bound) as upper_bound_sum,
        sum(n) as n_sum,
        sum(n_effective) as n_effective_sum,
        count(value) as values_present,
        count(flag) as flags_present,
        sum(length(flag)) as flag_chars,
        sum(length(note)) as note_chars,
        sum(length(metric) + length(scope)) as key_chars
    from results_
    group by quarter
)

select * from final
order by quarter
