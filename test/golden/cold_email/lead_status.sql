with

eligibility as (

    select * from `cold-email-local.cold_email_staging.int_lead_eligibility`

),

candidates as (

    select * from `cold-email-local.cold_email_staging.int_push_candidates`

),

push_queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

drain_queue as (

    select * from `cold-email-local.cold_email.drain_queue`

),

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

actions as (

    select * from `cold-email-local.cold_email_staging.stg_sync_actions`
    where email is not null

),

campaigns as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_campaigns`
    where is_latest_snapshot

),

sequence_contacts as (

    select
        history.email,
        history.campaign_id,
        history.started_at,
        history.ended_at,
        history.end_reason,
        history.is_ongoing,
        history.has_real_reply,
        history.replied_at,
        instantly_leads.timestamp_last_contact

    from history
    left join instantly_leads
        on history.lead_id = instantly_leads.lead_id

),

sequences as (

    select
        email,
        count(*) as sequences_so_far,
        sum(case when ended_at is not null then 1 else 0 end) as sequences_ended,
        min(started_at) as first_added_at,
        min(case when timestamp_last_contact is not null then started_at end) as first_contacted_at,
        max(timestamp_last_contact) as last_contacted_at,
        max(case when has_real_reply then 1 else 0 end) = 1 as has_replied,
        max(replied_at) as last_replied_at

    from sequence_contacts
    group by email

),

ongoing_ranked as (

    select
        email,
        campaign_id,
        row_number() over (
            partition by email
            order by started_at desc nulls last, campaign_id asc nulls last
        ) as row_in_email

    from history
    where is_ongoing

),

ongoing as (

    select * from ongoing_ranked
    where row_in_email = 1

),

ended_ranked as (

    select
        email,
        end_reason,
        ended_at,
        row_number() over (
            partition by email
            order by ended_at desc nulls last, campaign_id asc nulls last
        ) as row_in_email

    from history
    where ended_at is not null

),

last_ended as (

    select * from ended_ranked
    where row_in_email = 1

),

actions_ranked as (

    select
        actions.*,
        row_number() over (
            partition by email
            order by state_at desc nulls last, action_id asc nulls last
        ) as row_in_email

    from actions

),

last_action as (

    select * from actions_ranked
    where row_in_email = 1

),

drains as (

    select
        email,
        min(reason) as reason

    from drain_queue
    group by email

),

joined as (

    select
        eligibility.*,
        candidates.email is not null as is_candidate,
        push_queue.rank as queue_rank,
        drains.reason as pending_drain_reason,
        ongoing.campaign_id as current_campaign_id,
        campaigns.campaign_name as current_campaign_name,
        coalesce(sequences.sequences_so_far, 0) as sequences_so_far,
        coalesce(sequences.sequences_ended, 0) as sequences_ended,
        last_ended.end_reason as last_end_reason,
        last_ended.ended_at as last_ended_at,
        sequences.first_added_at,
        sequences.first_contacted_at,
        sequences.last_contacted_at,
        coalesce(sequences.has_replied, false) as has_replied,
        sequences.last_replied_at,
        last_action.op as last_action_op,
        last_action.state as last_action_state,
        last_action.reason as last_action_reason,
        last_action.error_code as last_action_error_code,
        last_action.campaign_id as last_action_campaign_id,
        last_action.state_at as last_action_at

    from eligibility
    left join candidates
        on eligibility.email = candidates.email
    left join push_queue
        on eligibility.email = push_queue.email
    left join drains
        on eligibility.email = drains.email
    left join ongoing
        on eligibility.email = ongoing.email
    left join campaigns
        on ongoing.campaign_id = campaigns.campaign_id
    left join sequences
        on eligibility.email = sequences.email
    left join last_ended
        on eligibility.email = last_ended.email
    left join last_action
        on eligibility.email = last_action.email

),

stated as (

    select
        joined.*,
        case
            when ineligible_reason = 'invalid_email' then 'invalid_email'
            when current_campaign_id is not null then 'in_sequence'
            when queue_rank is not null then 'queued'
            when suppression_reason is not null then 'suppressed'
            when cooldown_until is not null and cooldown_reason in ('replied', 'interested', 'meeting_booked')
                then 'replied'
            when cooldown_until is not null and cooldown_reason = 'completed' then 'completed'
            when cooldown_until is not null then 'cooling_down'
            when is_eligible then 'eligible'
            else 'ineligible'
        end as lead_state,
        case
            when queue_rank is not null then null
            when ineligible_reason is not null then ineligible_reason
            when not is_candidate then 'domain_limit'
            else 'over_capacity'
        end as kept_out_by,
        CAST(CAST(cooldown_until AS DATE) AS STRING) as cooldown_day

    from joined

),

final as (

    select
        email,
        domain,
        segment,
        campaign_id as target_campaign_id,
        lead_state,
        case lead_state
            when 'invalid_email' then 'invalid email address'
            when 'in_sequence' then concat('in sequence in ', coalesce(current_campaign_name, current_campaign_id))
            when 'queued' then concat('queued for ', campaign_id, ' at rank ', CAST(queue_rank AS STRING))
            when 'suppressed' then concat('suppressed by ', suppression_reason)
            when 'replied' then concat('replied; cooling down until ', cooldown_day)
            when 'completed' then concat('sequence completed; cooling down until ', cooldown_day)
            when 'cooling_down' then concat('cooling down until ', cooldown_day, ' (', coalesce(cooldown_reason, 'unknown'), ')')
            when 'eligible' then concat('eligible, not queued this run (', kept_out_by, ')')
            else concat('ineligible (', kept_out_by, ')')
        end as state_detail,
        kept_out_by,
        current_campaign_id,
        current_campaign_name,
        queue_rank,
        pending_drain_reason,
        suppression_reason,
        cooldown_until,
        cooldown_reason,
        verification_result,
        score,
        sequences_so_far,
        sequences_ended,
        last_end_reason,
        last_ended_at,
        first_added_at,
        first_contacted_at,
        last_contacted_at,
        last_contacted_at is not null as is_contacted,
        has_replied,
        last_replied_at,
        last_action_op,
        last_action_state,
        last_action_reason,
        last_action_error_code,
        last_action_campaign_id,
        last_action_at,
        CURRENT_TIMESTAMP() as computed_at

    from stated

)

select * from final
