with

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaigns`
    where is_latest_snapshot

),

judged as (

    select
        campaigns.*,
        campaigns.contacted_count >= 20 as is_bounce_judged

    from campaigns

),

rated as (

    select
        judged.*,
        case
            when judged.is_bounce_judged
                then SAFE_DIVIDE(100.0 * judged.bounced_count, judged.contacted_count)
        end as bounce_rate_pct

    from judged

),

final as (

    select
        campaign_id,
        campaign_name,
        segment,
        is_managed,
        status,
        recorded_at as snapshot_at,
        contacted_count,
        emails_sent_count,
        bounced_count,
        reply_count,
        unsubscribed_count,
        completed_count,
        20 as bounce_min_contacted,
        CAST(3 AS FLOAT64) as bounce_block_pct,
        coalesce(is_bounce_judged, false) as is_bounce_judged,
        bounce_rate_pct,
        coalesce(bounce_rate_pct > 3, false) as is_bounce_blocked

    from rated

)

select * from final
