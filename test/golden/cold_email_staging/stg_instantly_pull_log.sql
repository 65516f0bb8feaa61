with

succeeded_pulls as (

    select
        run_id,
        started_at,
        finished_at

    from `cold-email-local.cold_email_staging.stg_sync_runs`
    where
        mode = 'pull'
        and status = 'succeeded'
        

),

lead_rows as (

    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as lead_rows

    from `cold-email-local.cold_email_ops.instantly_leads`
    where
        recorded_at >= pulls_window_start
        and run_id in (select run_id from succeeded_pulls)
    group by run_id

),

campaign_rows as (

    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as campaign_rows

    from `cold-email-local.cold_email_ops.instantly_campaigns`
    where
        recorded_at >= pulls_window_start
        and run_id in (select run_id from succeeded_pulls)
    group by run_id

),

new_pulls as (

    select
        succeeded_pulls.run_id,
        case
            when lead_rows.started_at is null then coalesce(campaign_rows.started_at, succeeded_pulls.started_at)
            when campaign_rows.started_at is null then lead_rows.started_at
            when lead_rows.started_at < campaign_rows.started_at then lead_rows.started_at
            else campaign_rows.started_at
        end as pull_started_at,
        case
            when lead_rows.finished_at is null then coalesce(campaign_rows.finished_at, succeeded_pulls.finished_at, succeeded_pulls.started_at)
            when campaign_rows.finished_at is null then lead_rows.finished_at
            when lead_rows.finished_at > campaign_rows.finished_at then lead_rows.finished_at
            else campaign_rows.finished_at
        end as pull_finished_at,
        coalesce(lead_rows.lead_rows, 0) as lead_rows,
        coalesce(campaign_rows.campaign_rows, 0) as campaign_rows

    from succeeded_pulls
    left join lead_rows
        on succeeded_pulls.run_id = lead_rows.run_id
    left join campaign_rows
        on succeeded_pulls.run_id = campaign_rows.run_id

),

numbered as (

    select
        new_pulls.*,
        0
            + row_number() over (order by new_pulls.pull_finished_at asc nulls last, new_pulls.run_id asc nulls last) as pull_number,
        row_number() over (order by new_pulls.pull_finished_at desc nulls last, new_pulls.run_id desc nulls last) = 1 as is_latest

    from new_pulls

),

final as (

    select
        run_id,
        pull_started_at,
        pull_finished_at,
        lead_rows,
        campaign_rows,
        pull_number,
        is_latest

    from numbered

)

select * from final
