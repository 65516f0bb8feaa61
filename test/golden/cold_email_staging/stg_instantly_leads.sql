with

lead_state as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_lead_state`

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

final as (

    select
        lead_state.lead_id,
        lead_state.campaign_id,
        lead_state.email,
        lead_state.domain,
        lead_state.status,
        lead_state.lt_interest_status,
        lead_state.verification_status,
        lead_state.email_open_count,
        lead_state.email_reply_count,
        lead_state.email_click_count,
        lead_state.timestamp_created,
        lead_state.timestamp_updated,
        lead_state.timestamp_last_contact,
        lead_state.first_contact_at,
        lead_state.timestamp_last_reply,
        lead_state.timestamp_last_interest_change,
        lead_state.upload_method,
        lead_state.company_domain,
        lead_state.run_id,
        lead_state.first_seen_at,
        lead_state.last_seen_at,
        coalesce(lead_state.run_id = latest_pull.run_id, false) as is_in_latest_pull

    from lead_state
    left join latest_pull
        on true

)

select * from final
