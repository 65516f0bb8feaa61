with

new_pulls as (

    select run_id from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where pull_number > lead_state_merged_pull

),

snapshots as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_lead_snapshots`
    where
        recorded_at >= lead_state_window_start
        and run_id in (select run_id from new_pulls)

),

ranked as (

    select
        snapshots.*,
        min(snapshots.recorded_at) over (partition by snapshots.lead_id) as window_first_seen_at,
        min(snapshots.timestamp_last_contact) over (partition by snapshots.lead_id) as window_first_contact_at,
        row_number() over (
            partition by snapshots.lead_id
            order by snapshots.recorded_at desc nulls last, snapshots.run_id desc nulls last
        ) as row_in_lead

    from snapshots

),



final as (

    select
        ranked.lead_id,
        ranked.campaign_id,
        ranked.email,
        ranked.domain,
        ranked.status,
        ranked.lt_interest_status,
        ranked.verification_status,
        ranked.email_open_count,
        ranked.email_reply_count,
        ranked.email_click_count,
        ranked.timestamp_created,
        ranked.timestamp_updated,
        ranked.timestamp_last_contact,
        ranked.window_first_contact_at as first_contact_at,
        ranked.timestamp_last_reply,
        ranked.timestamp_last_interest_change,
        ranked.upload_method,
        ranked.company_domain,
        ranked.run_id,
        ranked.window_first_seen_at as first_seen_at,
        ranked.recorded_at as last_seen_at

    from ranked
    
    where ranked.row_in_lead = 1

)

select * from final
