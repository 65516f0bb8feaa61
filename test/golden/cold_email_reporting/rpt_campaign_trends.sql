with

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`
    where was_emailed

),

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaigns`
    where is_latest_snapshot

),

sequences as (

    select
        campaign_id,
        DATE_TRUNC(date(coalesce(first_contact_at, started_at)), ISOWEEK) as week,
        has_real_reply,
        coalesce(end_reason, outcome) as result

    from history
    where coalesce(first_contact_at, started_at) is not null

),

weekly as (

    select
        campaign_id,
        week,
        count(*) as contacted,
        sum(case when has_real_reply then 1 else 0 end) as replied,
        sum(case when result in ('interested', 'meeting_booked') then 1 else 0 end) as positive,
        sum(case when result = 'meeting_booked' then 1 else 0 end) as meetings,
        sum(case when result = 'bounced' then 1 else 0 end) as bounced,
        sum(case when result = 'unsubscribed' then 1 else 0 end) as unsubscribed

    from sequences
    group by campaign_id, week

),

final as (

    select
        weekly.campaign_id,
        campaigns.campaign_name,
        case weekly.campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        weekly.week,
        weekly.contacted,
        weekly.replied,
        weekly.positive,
        weekly.meetings,
        weekly.bounced,
        weekly.unsubscribed,
        round(SAFE_DIVIDE(100.0 * weekly.replied, weekly.contacted), 2) as reply_rate_pct,
        round(SAFE_DIVIDE(100.0 * weekly.positive, weekly.contacted), 2) as positive_rate_pct,
        round(SAFE_DIVIDE(100.0 * weekly.meetings, weekly.contacted), 2) as meeting_rate_pct,
        round(SAFE_DIVIDE(100.0 * weekly.bounced, weekly.contacted), 2) as bounce_rate_pct,
        round(SAFE_DIVIDE(100.0 * weekly.unsubscribed, weekly.contacted), 2) as unsubscribe_rate_pct

    from weekly
    left join campaigns
        on weekly.campaign_id = campaigns.campaign_id

)

select * from final
