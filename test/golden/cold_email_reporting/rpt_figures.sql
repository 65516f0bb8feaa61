with

inventory as (

    select * from `cold-email-local.cold_email_reporting.rpt_inventory_now`

),

verification as (

    select * from `cold-email-local.cold_email_reporting.rpt_verification_runs`

),

suppression as (

    select * from `cold-email-local.cold_email_staging.int_suppression`

),

runs as (

    select * from `cold-email-local.cold_email_staging.stg_sync_runs`

),

inventory_total as (

    select
        max(pull_run_id) as pull_run_id,
        coalesce(sum(leads_at_pull), 0) as inventory_at_pull,
        coalesce(sum(added_since_pull), 0) as added_since_pull,
        coalesce(sum(drained_since_pull), 0) as drained_since_pull,
        coalesce(sum(leads_now), 0) as inventory_now

    from inventory

),

verification_total as (

    select
        coalesce(sum(verified_checks), 0) as verified_checks,
        coalesce(sum(answered_checks), 0) as answered_checks

    from verification

),

suppression_total as (

    select count(distinct suppressed_value) as suppression_size
    from suppression

),

run_total as (

    select
        count(*) as apply_runs,
        coalesce(sum(case when status = 'succeeded' then 1 else 0 end), 0) as apply_runs_succeeded,
        coalesce(sum(case when status = 'partial' then 1 else 0 end), 0) as apply_runs_partial,
        coalesce(sum(case when status = 'failed' then 1 else 0 end), 0) as apply_runs_failed

    from runs
    where mode = 'apply'

),

final as (

    select
        inventory_total.pull_run_id,
        24000 as inventory_cap,
        inventory_total.inventory_at_pull,
        inventory_total.added_since_pull,
        inventory_total.drained_since_pull,
        inventory_total.inventory_now,
        greatest(24000 - inventory_total.inventory_now, 0) as capacity_remaining,
        coalesce(
            SAFE_DIVIDE(100.0 * inventory_total.inventory_now, 24000),
            case when inventory_total.inventory_now > 0 then 100.0 else 0.0 end
        ) as utilisation_pct,
        verification_total.verified_checks,
        verification_total.answered_checks,
        SAFE_DIVIDE(100.0 * verification_total.verified_checks, verification_total.answered_checks) as verification_success_pct,
        suppression_total.suppression_size,
        run_total.apply_runs,
        run_total.apply_runs_succeeded,
        run_total.apply_runs_partial,
        run_total.apply_runs_failed

    from inventory_total
    cross join verification_total
    cross join suppression_total
    cross join run_total

)

select * from final
