-- Grain: one row per failed warning rule of the quarter's latest check.
with warnings as (
    select quarter, relation, rule, failed, examples, message, run_id
    from contract_warnings
    where quarter = :quarter
),

final as (
    select * from warnings
)

select * from final
order by relation, rule
