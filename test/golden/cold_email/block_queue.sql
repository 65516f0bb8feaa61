with

drains as (

    select * from `cold-email-local.cold_email.drain_queue`
    where block

),

budget as (

    -- The pull these action tables were computed from (part of every action id).
    select * from `cold-email-local.cold_email.push_budget`

),

final as (

    select
        TO_HEX(MD5(concat(coalesce('block', ''), '|', coalesce(drains.email, ''), '|', coalesce(drains.campaign_id, ''), '|', coalesce(budget.pull_run_id, '')))) as action_id,
        drains.email,
        drains.campaign_id,
        drains.lead_id,
        drains.reason,
        budget.pull_run_id

    from drains
    cross join budget

)

select * from final
