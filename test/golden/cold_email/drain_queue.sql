with

classification as (

    select * from `cold-email-local.cold_email_staging.int_drain_classification`
    where action = 'drain'

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

actions as (

    select * from `cold-email-local.cold_email_staging.stg_sync_action_state`
    where op = 'drain'

),

identified as (

    select
        TO_HEX(MD5(concat(coalesce('drain', ''), '|', coalesce(classification.email, ''), '|', coalesce(classification.campaign_id, ''), '|', coalesce(latest_pull.run_id, '')))) as action_id,
        classification.lead_id,
        classification.email,
        classification.campaign_id,
        classification.drain_reason as reason,
        classification.suppress,
        classification.block,
        latest_pull.run_id as pull_run_id

    from classification
    left join latest_pull
        on true

),

deduplicated as (

    -- The same email twice in one campaign (two Instantly lead ids) would share an action_id: drain
    -- the newest lead now; the next pull has a new run_id, so the other gets its own action then.
    select
        identified.*,
        row_number() over (partition by identified.action_id order by identified.lead_id desc nulls last) as row_in_action

    from identified

),

final as (

    select
        identified.action_id,
        identified.lead_id,
        identified.email,
        identified.campaign_id,
        identified.reason,
        identified.suppress,
        identified.block,
        identified.pull_run_id

    from deduplicated as identified
    left join actions
        on identified.action_id = actions.action_id
    where
        identified.row_in_action = 1
        and (
            actions.action_id is null
            or actions.state = 'intent'
            or (actions.state = 'failed' and coalesce(actions.retryable, true))
        )

)

select * from final
