with

source as (

    select * from `cold-email-local.cold_email_ops.sync_runs`

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by source.run_id
            order by source.finished_at desc nulls last, source.started_at desc nulls last
        ) as row_in_run

    from source

),

final as (

    select
        run_id,
        translate(mode, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as mode,
        started_at,
        finished_at,
        TIMESTAMP_DIFF(finished_at, started_at, SECOND) as duration_seconds,
        translate(status, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as status,
        counts,
        error,
        ci_run_url

    from ranked
    where row_in_run = 1

)

select * from final
