with

new_pulls as (

    select run_id from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where pull_number > pull_campaigns_merged_pull

),

snapshots as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_lead_snapshots`
    where
        recorded_at >= pull_campaigns_window_start
        and run_id in (select run_id from new_pulls)

),

final as (

    select
        run_id,
        campaign_id,
        count(*) as leads_held,
        sum(case when status = 1 then 1 else 0 end) as active_leads

    from snapshots
    where campaign_id is not null
    group by run_id, campaign_id

)

select * from final
