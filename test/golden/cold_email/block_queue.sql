with

drains as (

    select * from `cold-email-local.cold_email.drain_queue`
    where block

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pulls`
    where is_latest

),

final as (

    select
        TO_HEX(MD5(concat(coalesce('block', ''), '|', coalesce(drains.email, ''), '|', coalesce(drains.campaign_id, ''), '|', coalesce(latest_pull.run_id, '')))) as action_id,
        drains.email,
        drains.campaign_id,
        drains.lead_id,
        drains.reason

    from drains
    left join latest_pull
        on true

)

select * from final
