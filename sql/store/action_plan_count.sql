-- Grain: one row: actions proposed in a quarter plus earlier actions followed up in it and
-- triggers covered by them
-- (any at all means the quarter's improvement plan ran).
with

proposed as (
    select count(*) as actions from action_proposals where quarter = :quarter
),

followed as (
    select count(*) as actions from action_follow_ups where quarter = :quarter
),

covered as (
    select count(*) as actions from action_coverage where quarter = :quarter
),

final as (
    select proposed.actions + followed.actions + covered.actions as actions
    from proposed
    cross join followed
    cross join covered
)

select * from final
