with

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

source as (

    -- The latest pull's rows only; the recorded_at bound lets BigQuery prune old partitions (a pull
    -- older than a week carries no capacity: the pacing rules then give its campaigns no adds).
    select * from `cold-email-local.cold_email_ops.instantly_account_daily`
    where
        recorded_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
        and run_id in (select run_id from latest_pull)

),

final as (

    -- Storage Write appends are at-least-once: a retried append repeats rows exactly; keep one.
    select distinct
        translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as email,
        source.date,
        coalesce(source.sent, 0) as sent,
        coalesce(source.bounced, 0) as bounced,
        coalesce(source.new_leads_contacted, 0) as new_leads_contacted,
        source.run_id

    from source

)

select * from final
