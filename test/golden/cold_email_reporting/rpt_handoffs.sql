with

actions as (

    -- The live view, not stg_sync_action_state: that table is merged by the transform BEFORE apply,
    -- so it never holds the run that just ended.
    select * from `cold-email-local.cold_email_staging.stg_sync_actions`
    where
        op = 'drain'
        and state = 'succeeded'
        and coalesce(reason in ('meeting_booked', 'interested', 'replied'), false)

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaigns`
    where is_latest_snapshot

),

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

later_drains as (

    -- A lead drained twice from one campaign (added again after its cooldown): only the latest
    -- hand-off is listed (ties on state_at: the smallest action_id, a total order without a window).
    select
        actions.action_id

    from actions
    inner join actions as later
        on actions.email = later.email
        and actions.campaign_id = later.campaign_id
        and (
            later.state_at > actions.state_at
            or (later.state_at = actions.state_at and later.action_id < actions.action_id)
        )

),

drains as (

    select * from actions
    where action_id not in (select action_id from later_drains)

),

snapshots_ranked as (

    select
        instantly_leads.*,
        row_number() over (
            partition by instantly_leads.email, instantly_leads.campaign_id
            order by instantly_leads.last_seen_at desc nulls last, instantly_leads.lead_id desc nulls last
        ) as row_in_sequence

    from instantly_leads

),

snapshots as (

    select * from snapshots_ranked
    where row_in_sequence = 1

),

final as (

    select
        drains.email,
        drains.campaign_id,
        campaigns.campaign_name,
        case drains.campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        drains.reason as handoff_reason,
        snapshots.lt_interest_status as interest_status,
        case snapshots.lt_interest_status
            when 0 then 'out_of_office'
            when 1 then 'interested'
            when 2 then 'meeting_booked'
            when 3 then 'meeting_completed'
            when 4 then 'won'
            when -1 then 'not_interested'
            when -2 then 'wrong_person'
            when -3 then 'lost'
            when -4 then 'no_show'
        end as interest_label,
        coalesce(
            snapshots.timestamp_last_reply,
            snapshots.timestamp_last_interest_change,
            drains.state_at
        ) as replied_at,
        drains.state_at as drained_at,
        drains.run_id as drain_run_id,
        coalesce(drains.lead_id, snapshots.lead_id) as lead_id,
        leads.first_name,
        leads.last_name,
        leads.company_name,
        drains.domain,
        leads.custom_variables

    from drains
    left join snapshots
        on drains.email = snapshots.email
        and drains.campaign_id = snapshots.campaign_id
    left join campaigns
        on drains.campaign_id = campaigns.campaign_id
    left join leads
        on drains.email = leads.email

)

select * from final
