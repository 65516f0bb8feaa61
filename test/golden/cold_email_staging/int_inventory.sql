with

segments as (

    select 'smb' as segment, '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id, 1 as segment_order, CAST(null AS FLOAT64) as slot_share
    union all
    select 'midsize' as segment, '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' as campaign_id, 2 as segment_order, CAST(null AS FLOAT64) as slot_share

),

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

classification as (

    select * from `cold-email-local.cold_email_staging.int_drain_classification`

),

held as (

    select
        campaign_id,
        count(*) as leads_in_instantly

    from `cold-email-local.cold_email_staging.stg_instantly_leads`
    where is_in_latest_pull
    group by campaign_id

),

pending as (

    select
        campaign_id,
        count(*) as pending_adds

    from history
    where has_pending_add
    group by campaign_id

),

draining as (

    select
        campaign_id,
        count(*) as draining

    from classification
    where action = 'drain'
    group by campaign_id

),

final as (

    select
        segments.segment,
        segments.segment_order,
        segments.campaign_id,
        segments.slot_share,
        coalesce(held.leads_in_instantly, 0) as leads_in_instantly,
        coalesce(pending.pending_adds, 0) as pending_adds,
        coalesce(held.leads_in_instantly, 0) + coalesce(pending.pending_adds, 0) as active_inventory,
        coalesce(draining.draining, 0) as draining,
        coalesce(held.leads_in_instantly, 0) + coalesce(pending.pending_adds, 0)
            - coalesce(draining.draining, 0) as remaining_after_drain

    from segments
    left join held
        on segments.campaign_id = held.campaign_id
    left join pending
        on segments.campaign_id = pending.campaign_id
    left join draining
        on segments.campaign_id = draining.campaign_id

)

select * from final
