with

source as (

    select * from `cold-email-local.cold_email_ops.sync_changelog`

),

renamed as (

    select
        source.run_id,
        source.recorded_at,
        source.action_id,
        lower(source.op) as op,
        lower(trim(source.email)) as email,
        regexp_extract(lower(trim(source.email)), '@([^@]+)$') as domain,
        lower(source.campaign_id) as campaign_id,
        source.lead_id,
        source.reason,
        lower(source.state) as state,
        source.retryable,
        source.error_code,
        source.http_status,
        source.message

    from source

)

select * from renamed
