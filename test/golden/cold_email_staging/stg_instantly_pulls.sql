with

merged as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`

),

merged_through as (

    select coalesce(max(pull_finished_at), CAST('1970-01-01 00:00:00+00' AS TIMESTAMP)) as finished_at
    from merged

),

recent_lead_rows as (

    -- A constant window (not a subquery) so BigQuery prunes the partitions.
    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as lead_rows

    from `cold-email-local.cold_email_ops.instantly_leads`
    where recorded_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 2 DAY)
    group by run_id

),

newer_campaign_rows as (

    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as campaign_rows

    from `cold-email-local.cold_email_ops.instantly_campaigns`
    where recorded_at > (select finished_at from merged_through)
    group by run_id

),

newer_runs as (

    -- A completed pull the transform has not merged yet is newer than every merged pull, whatever
    -- its stamps; any other pull run only when stamped after them.
    select
        run_id,
        started_at,
        coalesce(finished_at, started_at) as finished_at

    from `cold-email-local.cold_email_staging.stg_sync_runs`
    where
        mode = 'pull'
        and (
            (status = 'succeeded' and run_id not in (select run_id from merged))
            or started_at > (select finished_at from merged_through)
        )

),

candidate_ids as (

    select run_id from recent_lead_rows
    where finished_at > (select finished_at from merged_through)
    union distinct
    select run_id from newer_campaign_rows
    union distinct
    select run_id from newer_runs

),

unmerged as (

    select
        candidate_ids.run_id,
        case
            when recent_lead_rows.started_at is null then coalesce(newer_campaign_rows.started_at, newer_runs.started_at)
            when newer_campaign_rows.started_at is null then recent_lead_rows.started_at
            when recent_lead_rows.started_at < newer_campaign_rows.started_at then recent_lead_rows.started_at
            else newer_campaign_rows.started_at
        end as pull_started_at,
        case
            when recent_lead_rows.finished_at is null then coalesce(newer_campaign_rows.finished_at, newer_runs.finished_at)
            when newer_campaign_rows.finished_at is null then recent_lead_rows.finished_at
            when recent_lead_rows.finished_at > newer_campaign_rows.finished_at then recent_lead_rows.finished_at
            else newer_campaign_rows.finished_at
        end as pull_finished_at,
        coalesce(recent_lead_rows.lead_rows, 0) as lead_rows,
        coalesce(newer_campaign_rows.campaign_rows, 0) as campaign_rows

    from candidate_ids
    left join recent_lead_rows
        on candidate_ids.run_id = recent_lead_rows.run_id
    left join newer_campaign_rows
        on candidate_ids.run_id = newer_campaign_rows.run_id
    left join newer_runs
        on candidate_ids.run_id = newer_runs.run_id
    where candidate_ids.run_id not in (select run_id from merged)

),

unioned as (

    select
        run_id,
        pull_started_at,
        pull_finished_at,
        lead_rows,
        campaign_rows,
        pull_number,
        true as is_merged

    from merged

    union all

    select
        run_id,
        pull_started_at,
        pull_finished_at,
        lead_rows,
        campaign_rows,
        (select coalesce(max(pull_number), 0) from merged)
            + row_number() over (order by pull_finished_at asc nulls last, run_id asc nulls last) as pull_number,
        false as is_merged

    from unmerged

),

final as (

    select
        unioned.*,
        row_number() over (order by pull_number desc nulls last, run_id desc nulls last) = 1 as is_latest

    from unioned

)

select * from final
