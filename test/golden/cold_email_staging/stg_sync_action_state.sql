with

changelog as (

    select * from `cold-email-local.cold_email_staging.stg_sync_changelog`
    where recorded_at >= actions_merged_through

),

ranked as (

    select
        changelog.*,
        min(changelog.recorded_at) over (partition by changelog.action_id) as window_intent_at,
        row_number() over (
            partition by changelog.action_id
            -- a final row beats the intent whatever the stamps say (a skewed clock cannot revive an intent)
            order by
                case when changelog.state = 'intent' then 1 else 0 end asc nulls last,
                changelog.recorded_at desc nulls last,
                changelog.state asc nulls last
        ) as row_in_action

    from changelog

),



final as (

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
        ranked.window_intent_at as intent_at,
        ranked.recorded_at as state_at,
        ranked.run_id

    from ranked
    
    where ranked.row_in_action = 1

)

select * from final
