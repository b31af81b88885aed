-- Rules of the `claims` relation (docs/data-contract.md) for the claims the quarter's KPIs
-- read: reported, registered, closed or paid in [:window_start, :quarter_end) (the rolling
-- 12 months of the closure rate include the quarter). One row per broken rule and example
-- claim (at most five per rule). Dates in order: registered (立案), closed (结案) and paid on or after the report (报案);
-- a claim may close before its registration is keyed, so those two are not compared.
with suspects as materialized (
    -- The claims that break a row rule: the predicate of the partial index ix_claims_contract
    -- (sql/schema/08_indexes.sql), word for word, so the canonical schema reads no claim.
    select
        claim_id,
        policy_id,
        reported_on,
        registered_on,
        closed_on,
        paid_on,
        outcome,
        claimed_cny
    from src_claims
    where claim_id is null
        or registered_on < reported_on or closed_on < reported_on or paid_on < reported_on
        or (outcome is not null and outcome not in ('paid', 'denied', 'withdrawn'))
        or (outcome = 'paid' and paid_on is null)
        or (outcome in ('paid', 'denied') and closed_on is null)
        or claimed_cny is null or claimed_cny < 0
),

in_window as (
    select * from suspects
    where (reported_on >= :window_start and reported_on < :quarter_end)
        or (registered_on >= :window_start and registered_on < :quarter_end)
        or (closed_on >= :window_start and closed_on < :quarter_end)
        or (paid_on >= :window_start and paid_on < :quarter_end)
),

checked as (
    select
        coalesce(cast(in_window.claim_id as text), '(null)') as example_key,
        case when in_window.claim_id is null then 1 else 0 end as id_not_null,
        case
            when in_window.registered_on < in_window.reported_on then 1 else 0
        end as registered_order,
        case
            when in_window.closed_on < in_window.reported_on then 1 else 0
        end as closed_order,
        case when in_window.paid_on < in_window.reported_on then 1 else 0 end as paid_order,
        case
            when in_window.outcome is not null
                and in_window.outcome not in ('paid', 'denied', 'withdrawn')
                then 1 else 0
        end as outcome_accepted,
        case
            when in_window.outcome = 'paid' and in_window.paid_on is null then 1 else 0
        end as paid_dated,
        case
            when in_window.outcome in ('paid', 'denied') and in_window.closed_on is null
                then 1 else 0
        end as closed_dated,
        case
            when in_window.claimed_cny is null or in_window.claimed_cny < 0 then 1 else 0
        end as claimed_range
    from in_window
),

violations as materialized (
    select * from checked
    where id_not_null + registered_order + closed_order + paid_order
        + outcome_accepted + paid_dated + closed_dated + claimed_range > 0
),

orphans as (
    -- Claims of the quarter (closed or paid in it: cycle time, paid ratio) whose policy the
    -- warehouse lacks; a few index look-ups each, not a join of the whole policy book.
    select cast(claims.claim_id as text) as example_key
    from src_claims as claims
    where (
            (claims.closed_on >= :quarter_start and claims.closed_on < :quarter_end)
            or (claims.paid_on >= :quarter_start and claims.paid_on < :quarter_end)
        )
        and not exists (
            select 1 from src_policies as policies where policies.policy_id = claims.policy_id
        )
),

duplicates as (
    -- Over the whole relation, along the primary key: a claim id names one claim.
    select cast(claim_id as text) as example_key
    from src_claims
    where claim_id is not null
    group by claim_id
    having count(*) > 1
),

broken as (
    select 'claim_id.not_null' as rule, example_key from violations where id_not_null = 1
    union all
    select 'claim_id.unique' as rule, example_key from duplicates
    union all
    select 'policy_id.references' as rule, example_key from orphans
    union all
    select 'registered_on.after_reported' as rule, example_key
    from violations where registered_order = 1
    union all
    select 'closed_on.after_reported' as rule, example_key from violations where closed_order = 1
    union all
    select 'paid_on.after_reported' as rule, example_key from violations where paid_order = 1
    union all
    select 'outcome.accepted' as rule, example_key from violations where outcome_accepted = 1
    union all
    select 'paid_on.required' as rule, example_key from violations where paid_dated = 1
    union all
    select 'closed_on.required' as rule, example_key from violations where closed_dated = 1
    union all
    select 'claimed_cny.range' as rule, example_key from violations where claimed_range = 1
),

-- include: contract/parts/examples
