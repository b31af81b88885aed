-- Grain: the one delivery lock of a quarter (no row when nobody delivers it).
with locks as (
    select
        quarter,
        holder,
        lease_until,
        acquired_at
    from delivery_locks
    where quarter = :quarter
),

final as (
    select * from locks
)

select * from final
