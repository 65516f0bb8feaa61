with

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

source as (

    -- The latest pull's rows only; the recorded_at bound lets BigQuery prune old partitions (a pull
    -- older than a week carries no capacity: the pacing rules then give its campaigns no adds).
    select * from `cold-email-local.cold_email_ops.instantly_campaign_accounts`
    where
        recorded_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
        and run_id in (select run_id from latest_pull)

),

final as (

    -- Storage Write appends are at-least-once: a retried append repeats rows exactly; keep one.
    select distinct
        translate(source.campaign_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as campaign_id,
        translate(trim(source.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as email,
        source.run_id

    from source

)

select * from final
