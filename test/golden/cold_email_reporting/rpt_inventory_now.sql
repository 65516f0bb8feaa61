with

segments as (

    select 'smb' as segment, '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id, 1 as segment_order, CAST(null AS FLOAT64) as slot_share
    union all
    select 'midsize' as segment, '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' as campaign_id, 2 as segment_order, CAST(null AS FLOAT64) as slot_share

),

leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

actions as (

    select * from `cold-email-local.cold_email_staging.stg_sync_actions`

),

latest_pull as (

    select
        run_id,
        pull_started_at

    from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

held as (

    select
        campaign_id,
        count(*) as leads_at_pull

    from leads
    where is_in_latest_pull
    group by campaign_id

),

confirmed as (

    select
        actions.campaign_id,
        sum(case when actions.op = 'add' then 1 else 0 end) as added_since_pull,
        sum(case when actions.op = 'drain' then 1 else 0 end) as drained_since_pull

    from actions
    cross join latest_pull
    where actions.state = 'succeeded'
        and actions.op in ('add', 'drain')
        and actions.state_at >= latest_pull.pull_started_at
    group by actions.campaign_id

),

joined as (

    select
        segments.segment,
        segments.segment_order,
        segments.campaign_id,
        coalesce(held.leads_at_pull, 0) as leads_at_pull,
        coalesce(confirmed.added_since_pull, 0) as added_since_pull,
        coalesce(confirmed.drained_since_pull, 0) as drained_since_pull

    from segments
    left join held
        on segments.campaign_id = held.campaign_id
    left join confirmed
        on segments.campaign_id = confirmed.campaign_id

),

final as (

    select
        joined.segment,
        joined.segment_order,
        joined.campaign_id,
        (select max(run_id) from latest_pull) as pull_run_id,
        joined.leads_at_pull,
        joined.added_since_pull,
        joined.drained_since_pull,
        greatest(joined.leads_at_pull + joined.added_since_pull - joined.drained_since_pull, 0) as leads_now,
        24000 as inventory_cap,
        SAFE_DIVIDE(100.0 * greatest(joined.leads_at_pull + joined.added_since_pull - joined.drained_since_pull, 0), 24000) as cap_share_pct

    from joined

)

select * from final
