with

verifications as (

    select * from `cold-email-local.cold_email_staging.stg_email_verifications`

),

daily as (

    select
        date(verified_at) as day,
        result,
        count(*) as checks,
        count(distinct email) as distinct_emails,
        coalesce(sum(credits_used), 0) as credits_used

    from verifications
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
