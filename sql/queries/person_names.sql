-- Grain: one row per name the warehouse knows (masked wherever a comment mentions it).
with names as (
    select
        full_name
    from person_names
    where full_name is not null
),

final as (
    select * from names
)

select * from final
order by full_name
