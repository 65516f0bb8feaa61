with

campaigns as (

    select * from `cold-email-local.cold_email_staging.int_campaign_health`

),

held as (

    select
        campaign_id,
        count(*) as leads_held

    from `cold-email-local.cold_email_staging.stg_instantly_leads`
    where is_in_latest_pull
    group by campaign_id

),

figures as (

    select * from `cold-email-local.cold_email_reporting.rpt_figures`

),

joined as (

    select
        campaigns.*,
        coalesce(held.leads_held, 0) as leads_held

    from campaigns
    left join held
        on campaigns.campaign_id = held.campaign_id

),

final as (

    select
        campaign_id,
        campaign_name,
        segment,
        is_managed,
        status,
        snapshot_at,
        contacted_count,
        emails_sent_count,
        bounced_count,
        reply_count,
        unsubscribed_count,
        completed_count,
        bounce_rate_pct,
        SAFE_DIVIDE(100.0 * reply_count, contacted_count) as reply_rate_pct,
        SAFE_DIVIDE(100.0 * unsubscribed_count, contacted_count) as unsubscribe_rate_pct,
        leads_held,
        24000 as inventory_cap,
        SAFE_DIVIDE(100.0 * leads_held, 24000) as cap_share_pct,
        (select max(figures.utilisation_pct) from figures) as total_utilisation_pct,
        is_bounce_blocked

    from joined

)

select * from final
