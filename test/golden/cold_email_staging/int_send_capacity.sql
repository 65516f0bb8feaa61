with

segments as (

    select 'smb' as segment, '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id, 1 as segment_order, CAST(null AS FLOAT64) as slot_share
    union all
    select 'midsize' as segment, '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' as campaign_id, 2 as segment_order, CAST(null AS FLOAT64) as slot_share

),

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaign_sending`

),

senders as (

    select * from `cold-email-local.cold_email_staging.int_sender_capacity`

),

campaign_daily as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaign_daily`

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`
    where is_in_latest_pull

),

classification as (

    select * from `cold-email-local.cold_email_staging.int_drain_classification`

),

inventory as (

    select * from `cold-email-local.cold_email_staging.int_inventory`

),

candidates as (

    select
        segment,
        count(*) as pool_left

    from `cold-email-local.cold_email_staging.int_push_candidates`
    group by segment

),

sender_totals as (

    select
        campaign_id,
        count(*) as senders,
        sum(case when is_healthy then 1 else 0 end) as healthy_senders,
        sum(share_per_day) as sender_capacity

    from senders
    group by campaign_id

),

observed as (

    -- Sends per new lead as the analytics show them, over a window that covers a whole sequence:
    -- in a steady state every email of the window belongs to a lead started in it or just before.
    select
        campaign_daily.campaign_id,
        sum(campaign_daily.sent) as window_sent,
        sum(campaign_daily.new_leads_contacted) as window_new_leads,
        min(case when campaign_daily.sent > 0 then campaign_daily.date end) as first_sending_day

    from campaign_daily
    where campaign_daily.date >= CAST(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 14 DAY) AS DATE)
    group by campaign_daily.campaign_id

),

lead_counts as (

    select
        instantly_leads.campaign_id,
        sum(
            case
                when instantly_leads.status = 1
                    and instantly_leads.timestamp_last_contact is not null
                    then 1
                else 0
            end
        ) as leads_in_sequence,
        sum(
            case
                when instantly_leads.status = 1
                    and instantly_leads.timestamp_last_contact is null
                    and coalesce(classification.action, 'keep') <> 'drain'
                    then 1
                else 0
            end
        ) as never_emailed

    from instantly_leads
    left join classification
        on instantly_leads.lead_id = classification.lead_id
    group by instantly_leads.campaign_id

),

joined as (

    select
        segments.segment,
        segments.segment_order,
        segments.campaign_id,
        campaigns.campaign_id is not null as has_capacity_data,
        campaigns.status as campaign_status,
        campaigns.sending_status,
        coalesce(sender_totals.senders, 0) as senders,
        coalesce(sender_totals.healthy_senders, 0) as healthy_senders,
        coalesce(sender_totals.sender_capacity, 0) as sender_capacity,
        campaigns.daily_limit as campaign_daily_limit,
        campaigns.daily_max_leads,
        case
            when coalesce(campaigns.daily_limit, 0) > 0
                and campaigns.daily_limit < coalesce(sender_totals.sender_capacity, 0)
                then CAST(campaigns.daily_limit AS FLOAT64)
            else coalesce(sender_totals.sender_capacity, 0)
        end * 0.9 as sends_per_day_raw,
        greatest(coalesce(campaigns.step_count, 1), 1) as step_count,
        coalesce(campaigns.sequence_days, 0) as sequence_days,
        case
            when coalesce(observed.window_new_leads, 0) >= 5
                and coalesce(campaigns.sequence_days, 0) <= 14
                and observed.first_sending_day
                    <= CAST(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL CAST(ceil(coalesce(campaigns.sequence_days, 0)) AS INT64) DAY) AS DATE)
                then SAFE_DIVIDE(CAST(observed.window_sent AS FLOAT64), observed.window_new_leads)
        end as observed_sends_per_new_lead,
        coalesce(lead_counts.leads_in_sequence, 0) as leads_in_sequence,
        coalesce(lead_counts.never_emailed, 0) + coalesce(inventory.pending_adds, 0) as backlog,
        coalesce(candidates.pool_left, 0) as pool_left

    from segments
    left join campaigns
        on segments.campaign_id = campaigns.campaign_id
    left join sender_totals
        on segments.campaign_id = sender_totals.campaign_id
    left join observed
        on segments.campaign_id = observed.campaign_id
    left join lead_counts
        on segments.campaign_id = lead_counts.campaign_id
    left join inventory
        on segments.segment = inventory.segment
    left join candidates
        on segments.segment = candidates.segment

),

per_lead as (

    select
        joined.*,
        CAST(floor(sends_per_day_raw) AS INT64) as sends_per_day,
        case
            when observed_sends_per_new_lead is null then CAST(step_count AS FLOAT64)
            when observed_sends_per_new_lead < 1 then CAST(1 AS FLOAT64)
            when observed_sends_per_new_lead > step_count then CAST(step_count AS FLOAT64)
            else observed_sends_per_new_lead
        end as sends_per_new_lead

    from joined

),

follow_ups as (

    select
        per_lead.*,
        SAFE_DIVIDE(leads_in_sequence * (sends_per_new_lead - 1), greatest(sequence_days, CAST(1 AS FLOAT64))) as follow_ups_per_day

    from per_lead

),

starts as (

    select
        follow_ups.*,
        case
            when not has_capacity_data or coalesce(campaign_status, 0) <> 1 or healthy_senders = 0 then 0
            when coalesce(daily_max_leads, 0) < 0 then 0
            else CAST(floor(
                greatest(
                    sends_per_day - follow_ups_per_day,
                    SAFE_DIVIDE(sends_per_day, sends_per_new_lead)
                )
            ) AS INT64)
        end as uncapped_starts

    from follow_ups

),

capped as (

    select
        starts.*,
        case
            when coalesce(daily_max_leads, 0) > 0 and daily_max_leads < uncapped_starts then daily_max_leads
            else uncapped_starts
        end as new_starts_per_day

    from starts

),

targets as (

    select
        capped.*,
        CAST(ceil(2 * new_starts_per_day) AS INT64) as target_backlog

    from capped

),

final as (

    select
        segment,
        segment_order,
        campaign_id,
        has_capacity_data,
        campaign_status,
        sending_status,
        senders,
        healthy_senders,
        sender_capacity,
        campaign_daily_limit,
        daily_max_leads,
        sends_per_day,
        step_count,
        sequence_days,
        observed_sends_per_new_lead,
        sends_per_new_lead,
        leads_in_sequence,
        follow_ups_per_day,
        new_starts_per_day,
        backlog,
        SAFE_DIVIDE(CAST(backlog AS FLOAT64), new_starts_per_day) as backlog_days,
        target_backlog,
        case when target_backlog > backlog then target_backlog - backlog else 0 end as paced_slots,
        pool_left,
        SAFE_DIVIDE(CAST(pool_left AS FLOAT64), new_starts_per_day) as runway_days,
        case
            when not has_capacity_data then 'no_capacity_data'
            when coalesce(campaign_status, 0) <> 1 then 'campaign_not_active'
            when healthy_senders = 0 then 'no_healthy_sender'
            when new_starts_per_day = 0 then 'no_sending_capacity'
            when target_backlog <= backlog then 'backlog_full'
        end as no_adds_reason

    from targets

)

select * from final
