-- Grain: the latest check of the quarter (no row when it was never checked).
with checks as (
    select quarter, rules_checked, warnings, run_id
    from contract_checks
    where quarter = :quarter
),

final as (
    select * from checks
)

select * from final
