with

source as (

    select * from `cold-email-local.cold_email_ops.instantly_leads`

),

renamed as (

    select
        ---------- ids
        source.run_id,
        source.lead_id,
        translate(source.campaign_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as campaign_id,
        translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as email,
        regexp_extract(translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '@([^@]+)$') as domain,

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
        translate(source.company_domain, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as company_domain

    from source

)

select * from renamed
