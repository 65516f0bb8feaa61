with

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

capacity as (

    select * from `cold-email-local.cold_email_staging.int_send_capacity`

),

campaign_daily as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaign_daily`

),

last_day as (

    select
        campaign_daily.campaign_id,
        campaign_daily.sent,
        campaign_daily.new_leads_contacted,
        row_number() over (
            partition by campaign_daily.campaign_id
            order by campaign_daily.date desc nulls last
        ) as row_in_campaign

    from campaign_daily
    where campaign_daily.date < CAST(CURRENT_TIMESTAMP() AS DATE)

),

final as (

    select
        latest_pull.run_id as pull_run_id,
        latest_pull.pull_finished_at as pulled_at,
        capacity.segment,
        capacity.campaign_id,
        capacity.healthy_senders,
        capacity.sends_per_day,
        capacity.new_starts_per_day,
        capacity.backlog,
        capacity.backlog_days,
        capacity.paced_slots,
        capacity.pool_left,
        capacity.runway_days,
        capacity.sending_status,
        capacity.no_adds_reason,
        last_day.sent as sent_last_day,
        last_day.new_leads_contacted as new_leads_last_day

    from capacity
    inner join latest_pull
        on true
    left join last_day
        on capacity.campaign_id = last_day.campaign_id
        and last_day.row_in_campaign = 1

)

select * from final
