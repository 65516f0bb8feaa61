with

verifications as (

    select * from `cold-email-local.cold_email_staging.stg_email_verifications`

),

checks as (

    -- grain: one row per run_id and email (the engine stores the pending answer, then the polled result)
    select
        run_id,
        email,
        coalesce(max(case when result <> 'pending' then result end), 'pending') as result,
        max(verified_at) as verified_at,
        sum(credits_used) as credits_used

    from verifications
    group by run_id, email

),

daily as (

    select
        date(verified_at) as day,
        result,
        count(*) as checks,
        count(distinct email) as distinct_emails,
        coalesce(sum(credits_used), 0) as credits_used

    from checks
    group by 1, 2

),

final as (

    select
        day,
        result,
        checks,
        distinct_emails,
        credits_used,
        SAFE_DIVIDE(100.0 * checks, sum(checks) over (partition by day)) as share_of_day_pct

    from daily

)

select * from final
