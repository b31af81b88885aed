-- Grain: the brand the demo generator recorded (one row in a demo warehouse).
with marks as (
    select brand from demo_warehouse
),

final as (
    select brand from marks
)

select * from final
