with

source as (

    select * from `cold-email-local.cold_email_ops.sync_changelog`

),

renamed as (

    -- Storage Write appends are at-least-once: a retried append repeats rows exactly; keep one.
    select distinct
        source.run_id,
        source.recorded_at,
        source.action_id,
        translate(source.op, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as op,
        translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as email,
        regexp_extract(translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '@([^@]+)$') as domain,
        translate(source.campaign_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as campaign_id,
        source.lead_id,
        source.reason,
        translate(source.state, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as state,
        source.retryable,
        source.error_code,
        source.http_status,
        source.message

    from source

)

select * from renamed
