-- Grain: one row per (scope, recipient, PDF checksum) delivery of a quarter's reports.
with deliveries as (
    select
        quarter,
        scope,
        recipient,
        pdf_sha256,
        language,
        revision,
        file_name,
        role,
        channel,
        status,
        error,
        attempts,
        times_sent,
        interrupted,
        message_id,
        claimed_by,
        lease_until,
        sent_at,
        updated_at,
        run_id
    from delivery_log
    where quarter = :quarter
),

final as (
    select * from deliveries
)

select * from final
order by scope, language, revision, role desc, recipient
