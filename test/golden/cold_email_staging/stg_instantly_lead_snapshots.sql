with

source as (

    select * from `cold-email-local.cold_email_ops.instantly_leads`

),

renamed as (

    select
        ---------- ids
        source.run_id,
        source.lead_id,
        lower(source.campaign_id) as campaign_id,
        lower(trim(source.email)) as email,
        regexp_extract(lower(trim(source.email)), '@([^@]+)$') as domain,

        ---------- state
        source.status,
        source.lt_interest_status,
        source.verification_status,

        ---------- engagement
        source.email_open_count,
        source.email_reply_count,
        source.email_click_count,

        ---------- timestamps
        source.recorded_at,
        source.timestamp_created,
        source.timestamp_updated,
        source.timestamp_last_contact,
        source.timestamp_last_reply,
        source.timestamp_last_interest_change,

        ---------- other
        source.upload_method,
        lower(source.company_domain) as company_domain

    from source

)

select * from renamed
