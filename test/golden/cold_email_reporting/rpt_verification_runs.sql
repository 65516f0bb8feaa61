with

verifications as (

    select * from `cold-email-local.cold_email_staging.stg_email_verifications`

),

checks as (

    -- grain: one row per run_id and email (the engine stores the pending answer, then the polled result)
    select
        run_id,
        email,
        coalesce(max(case when result <> 'pending' then result end), 'pending') as result

    from verifications
    group by run_id, email

),

per_run as (

    select
        run_id,
        count(*) as checks,
        sum(case when result = 'verified' then 1 else 0 end) as verified_checks,
        sum(case when result = 'invalid' then 1 else 0 end) as invalid_checks,
        sum(case when result = 'catch_all' then 1 else 0 end) as catch_all_checks,
        sum(case when result = 'pending' then 1 else 0 end) as pending_checks

    from checks
    group by run_id

),

final as (

    select
        run_id,
        checks,
        verified_checks,
        invalid_checks,
        catch_all_checks,
        pending_checks,
        verified_checks + invalid_checks + catch_all_checks as answered_checks,
        SAFE_DIVIDE(100.0 * verified_checks, verified_checks + invalid_checks + catch_all_checks) as verification_success_pct

    from per_run

)

select * from final
