-- Grain: the inputs fingerprint of one computed quarter (no row before its first compute).
with computed as (
    select quarter, inputs_sha256, run_id
    from quarter_inputs
    where quarter = :quarter
),

final as (
    select * from computed
)

select * from final
