with

merged as (

    select * from `cold-email-local.cold_email_staging.stg_sync_action_state`

),

newer as (

    select * from `cold-email-local.cold_email_staging.stg_sync_changelog`
    where recorded_at >= (select coalesce(max(state_at), CAST('1970-01-01 00:00:00+00' AS TIMESTAMP)) from merged)

),

ranked as (

    select
        newer.*,
        min(newer.recorded_at) over (partition by newer.action_id) as newer_intent_at,
        row_number() over (
            partition by newer.action_id
            -- a final row beats the intent whatever the stamps say (stg_sync_action_state's rule)
            order by
                case when newer.state = 'intent' then 1 else 0 end asc nulls last,
                newer.recorded_at desc nulls last,
                newer.state asc nulls last
        ) as row_in_action

    from newer

),

latest_newer as (

    select
        ranked.action_id,
        ranked.op,
        ranked.email,
        ranked.domain,
        ranked.campaign_id,
        ranked.lead_id,
        ranked.reason,
        ranked.state,
        ranked.state = 'intent' as is_unresolved,
        ranked.retryable,
        ranked.error_code,
        ranked.http_status,
        coalesce(merged.intent_at, ranked.newer_intent_at) as intent_at,
        ranked.recorded_at as state_at,
        ranked.run_id

    from ranked
    left join merged
        on ranked.action_id = merged.action_id
    where ranked.row_in_action = 1
        -- an intent never replaces a final state already merged (a skewed stamp can make it look newer)
        and not (ranked.state = 'intent' and merged.state is not null and merged.state <> 'intent')

),

final as (

    select * from latest_newer

    union all

    select * from merged
    where action_id not in (select action_id from latest_newer)

)

select * from final
