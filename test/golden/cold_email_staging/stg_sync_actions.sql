with

changelog as (

    select * from `cold-email-local.cold_email_staging.stg_sync_changelog`

),

ranked as (

    select
        changelog.*,
        min(changelog.recorded_at) over (partition by changelog.action_id) as intent_at,
        row_number() over (
            partition by changelog.action_id
            order by
                changelog.recorded_at desc,
                case when changelog.state = 'intent' then 1 else 0 end,
                changelog.state
        ) as row_in_action

    from changelog

),

final as (

    select
        action_id,
        op,
        email,
        domain,
        campaign_id,
        lead_id,
        reason,
        state,
        state = 'intent' as is_unresolved,
        retryable,
        error_code,
        http_status,
        intent_at,
        recorded_at as state_at,
        run_id

    from ranked
    where row_in_action = 1

)

select * from final
