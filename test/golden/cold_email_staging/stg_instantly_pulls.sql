with

lead_rows as (

    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as lead_rows

    from `cold-email-local.cold_email_ops.instantly_leads`
    group by run_id

),

campaign_rows as (

    select
        run_id,
        min(recorded_at) as started_at,
        max(recorded_at) as finished_at,
        count(*) as campaign_rows

    from `cold-email-local.cold_email_ops.instantly_campaigns`
    group by run_id

),

joined as (

    select
        coalesce(lead_rows.run_id, campaign_rows.run_id) as run_id,
        case
            when lead_rows.started_at is null then campaign_rows.started_at
            when campaign_rows.started_at is null then lead_rows.started_at
            when lead_rows.started_at < campaign_rows.started_at then lead_rows.started_at
            else campaign_rows.started_at
        end as pull_started_at,
        case
            when lead_rows.finished_at is null then campaign_rows.finished_at
            when campaign_rows.finished_at is null then lead_rows.finished_at
            when lead_rows.finished_at > campaign_rows.finished_at then lead_rows.finished_at
            else campaign_rows.finished_at
        end as pull_finished_at,
        coalesce(lead_rows.lead_rows, 0) as lead_rows,
        coalesce(campaign_rows.campaign_rows, 0) as campaign_rows

    from lead_rows
    full outer join campaign_rows
        on lead_rows.run_id = campaign_rows.run_id

),

final as (

    select
        run_id,
        pull_started_at,
        pull_finished_at,
        lead_rows,
        campaign_rows,
        row_number() over (order by pull_finished_at, run_id) as pull_number,
        row_number() over (order by pull_finished_at desc, run_id desc) = 1 as is_latest

    from joined

)

select * from final
