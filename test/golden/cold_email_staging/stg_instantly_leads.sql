with

snapshots as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_lead_snapshots`

),

pulls as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pulls`

),

ranked as (

    select
        snapshots.*,
        min(snapshots.recorded_at) over (partition by snapshots.lead_id) as first_seen_at,
        row_number() over (
            partition by snapshots.lead_id
            order by snapshots.recorded_at desc, snapshots.run_id desc
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
        ranked.timestamp_last_reply,
        ranked.timestamp_last_interest_change,
        ranked.upload_method,
        ranked.company_domain,
        ranked.run_id,
        ranked.first_seen_at,
        ranked.recorded_at as last_seen_at,
        coalesce(pulls.is_latest, false) as is_in_latest_pull

    from ranked
    left join pulls
        on ranked.run_id = pulls.run_id
    where ranked.row_in_lead = 1

)

select * from final
