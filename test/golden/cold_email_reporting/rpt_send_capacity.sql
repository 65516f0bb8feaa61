with

history as (

    select * from `cold-email-local.cold_email_staging.int_send_capacity_history`

),

ranked as (

    select
        history.*,
        CAST(history.pulled_at AS DATE) as day,
        row_number() over (
            partition by history.campaign_id, CAST(history.pulled_at AS DATE)
            order by history.pulled_at desc nulls last, history.pull_run_id desc nulls last
        ) as row_in_day

    from history

),

final as (

    select
        day,
        segment,
        campaign_id,
        healthy_senders,
        sends_per_day,
        sent_last_day,
        new_starts_per_day,
        new_leads_last_day,
        backlog,
        backlog_days,
        paced_slots,
        pool_left,
        runway_days,
        sending_status,
        no_adds_reason

    from ranked
    where row_in_day = 1

)

select * from final
