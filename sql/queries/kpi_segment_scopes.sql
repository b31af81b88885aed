-- Grain: one row per segment scope the KPIs are broken down by: channel.<code>, product.<code>.
with channel_scopes as (
    select 'channel.' || channel_code as scope, 1 as kind_order from channels
),

product_scopes as (
    select 'product.' || product_line_code as scope, 2 as kind_order from product_lines
),

final as (
    select scope, kind_order from channel_scopes
    union all
    select scope, kind_order from product_scopes
)

select * from final
order by kind_order, scope
