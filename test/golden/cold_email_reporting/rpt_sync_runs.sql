with

runs as (

    select * from `cold-email-local.cold_email_staging.stg_sync_runs`

),

actions as (

    -- The live view, not stg_sync_action_state: that table is merged by the transform BEFORE apply,
    -- so it never holds the run that just ended.
    select * from `cold-email-local.cold_email_staging.stg_sync_actions`

),

verification as (

    select * from `cold-email-local.cold_email_reporting.rpt_verification_runs`

),

per_run as (

    select
        run_id,
        sum(case when op = 'add' and state = 'succeeded' then 1 else 0 end) as adds_succeeded,
        sum(case when op = 'drain' and state = 'succeeded' then 1 else 0 end) as drains_succeeded,
        sum(case when op = 'block' and state = 'succeeded' then 1 else 0 end) as blocks_succeeded,
        sum(case when op = 'verify' and state <> 'intent' then 1 else 0 end) as verifications,
        sum(case when state = 'rejected' then 1 else 0 end) as rejected,
        sum(case when state = 'failed' then 1 else 0 end) as failed,
        sum(case when state = 'intent' then 1 else 0 end) as unresolved

    from actions
    group by run_id

),

final as (

    select
        runs.run_id,
        runs.mode,
        runs.started_at,
        date(runs.started_at) as run_date,
        runs.finished_at,
        runs.duration_seconds,
        runs.status,
        coalesce(per_run.adds_succeeded, 0) as adds_succeeded,
        coalesce(per_run.drains_succeeded, 0) as drains_succeeded,
        coalesce(per_run.blocks_succeeded, 0) as blocks_succeeded,
        coalesce(per_run.verifications, 0) as verifications,
        coalesce(per_run.rejected, 0) as rejected,
        coalesce(per_run.failed, 0) as failed,
        coalesce(per_run.unresolved, 0) as unresolved,
        coalesce(verification.verified_checks, 0) as verified_checks,
        coalesce(verification.answered_checks, 0) as answered_checks,
        verification.verification_success_pct,
        runs.error,
        runs.ci_run_url

    from runs
    left join per_run
        on runs.run_id = per_run.run_id
    left join verification
        on runs.run_id = verification.run_id

)

select * from final
