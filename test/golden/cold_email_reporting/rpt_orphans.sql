with

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

classification as (

    select * from `cold-email-local.cold_email_staging.int_drain_classification`

),

lead_state as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

latest_campaigns as (

    select distinct campaigns.campaign_id
    from `cold-email-local.cold_email_staging.stg_instantly_campaigns` as campaigns
    inner join latest_pull
        on campaigns.run_id = latest_pull.run_id
    where campaigns.campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df')

),

lost_adds as (

    select
        'lost_add' as kind,
        email,
        campaign_id,
        cast(null as STRING) as lead_id,
        ended_at as orphaned_since,
        'retry' as pipeline_action

    from history
    where end_reason = 'lost_add'

),

stuck as (

    select
        'stuck' as kind,
        email,
        campaign_id,
        lead_id,
        paused_since as orphaned_since,
        case when action = 'drain' then 'drain' else 'none' end as pipeline_action

    from classification
    where is_stuck

),

campaign_gone as (

    select
        'campaign_gone' as kind,
        lead_state.email,
        lead_state.campaign_id,
        lead_state.lead_id,
        lead_state.last_seen_at as orphaned_since,
        'none' as pipeline_action

    from lead_state
    left join latest_campaigns
        on lead_state.campaign_id = latest_campaigns.campaign_id
    left join history
        on lead_state.email = history.email
        and lead_state.campaign_id = history.campaign_id
    where
        not lead_state.is_in_latest_pull
        and lead_state.status in (1, 2)
        and latest_campaigns.campaign_id is null
        and not coalesce(history.drained_at >= lead_state.last_seen_at, false)

),

final as (

    select * from lost_adds
    union all
    select * from stuck
    union all
    select * from campaign_gone

)

select * from final
