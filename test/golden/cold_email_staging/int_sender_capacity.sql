with

accounts as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_sending_accounts`

),

campaign_accounts as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaign_accounts`

),

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaign_sending`

),

account_daily as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_account_daily`

),

recent_sent as (

    select
        email,
        max(sent) as recent_max_sent

    from account_daily
    where date >= CAST(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 3 DAY) AS DATE)
    group by email

),

limits as (

    select
        accounts.email,
        coalesce(accounts.daily_limit, 0) as daily_limit,
        coalesce(accounts.status = 1, false)
            and coalesce(accounts.warmup_status, 0) >= 0
            and not coalesce(accounts.setup_pending, false) as is_healthy,
        coalesce(recent_sent.recent_max_sent, 0) as recent_max_sent,
        coalesce(accounts.enable_slow_ramp, false) as enable_slow_ramp

    from accounts
    left join recent_sent
        on accounts.email = recent_sent.email

),

served as (

    select
        campaign_accounts.email,
        campaign_accounts.campaign_id,
        coalesce(campaigns.status = 1, false) as is_campaign_active

    from campaign_accounts
    left join campaigns
        on campaign_accounts.campaign_id = campaigns.campaign_id

),

active_counts as (

    select
        email,
        sum(case when is_campaign_active then 1 else 0 end) as active_campaigns

    from served
    group by email

),

effective as (

    select
        served.email,
        served.campaign_id,
        served.is_campaign_active,
        limits.daily_limit,
        coalesce(limits.is_healthy, false) as is_healthy,
        coalesce(limits.recent_max_sent, 0) as recent_max_sent,
        case
            when not coalesce(limits.is_healthy, false) then 0
            when limits.enable_slow_ramp and limits.recent_max_sent + 2 < limits.daily_limit
                then limits.recent_max_sent + 2
            else limits.daily_limit
        end as effective_limit,
        coalesce(active_counts.active_campaigns, 0) as active_campaigns

    from served
    left join limits
        on served.email = limits.email
    left join active_counts
        on served.email = active_counts.email

),

final as (

    select
        email,
        campaign_id,
        daily_limit,
        is_healthy,
        recent_max_sent,
        effective_limit,
        active_campaigns,
        case
            when not is_campaign_active then CAST(0 AS FLOAT64)
            else SAFE_DIVIDE(CAST(effective_limit AS FLOAT64), active_campaigns)
        end as share_per_day

    from effective

)

select * from final
