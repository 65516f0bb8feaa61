with

all_instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`
    where email is not null and campaign_id is not null

),

all_actions as (

    select * from `cold-email-local.cold_email_staging.stg_sync_action_state`
    where op in ('add', 'drain') and email is not null and campaign_id is not null

),

instantly_leads as (

    select * from all_instantly_leads

),

actions as (

    select * from all_actions

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

action_times as (

    select
        email,
        campaign_id,
        max(state_at) as last_action_at

    from actions
    group by email, campaign_id

),

leads_ranked as (

    select
        instantly_leads.*,
        max(case when instantly_leads.is_in_latest_pull then 1 else 0 end) over (
            partition by instantly_leads.email, instantly_leads.campaign_id
        ) = 1 as any_in_latest_pull,
        row_number() over (
            partition by instantly_leads.email, instantly_leads.campaign_id
            order by instantly_leads.last_seen_at desc nulls last, instantly_leads.lead_id desc nulls last
        ) as row_in_sequence

    from instantly_leads

),

leads as (

    select * from leads_ranked
    where row_in_sequence = 1

),

adds_ranked as (

    select
        actions.*,
        row_number() over (
            partition by actions.email, actions.campaign_id
            order by actions.intent_at desc nulls last, actions.action_id asc nulls last
        ) as row_in_sequence

    from actions
    where actions.op = 'add' and actions.state in ('intent', 'succeeded', 'skipped')

),

adds as (

    select * from adds_ranked
    where row_in_sequence = 1

),

drains_ranked as (

    select
        actions.*,
        row_number() over (
            partition by actions.email, actions.campaign_id
            order by actions.state_at desc nulls last, actions.action_id asc nulls last
        ) as row_in_sequence

    from actions
    where actions.op = 'drain' and actions.state = 'succeeded'

),

drains as (

    select * from drains_ranked
    where row_in_sequence = 1

),

pulls as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`

),

unseen_adds as (

    -- Confirmed adds that no pull has seen since (and no drain of ours followed): each completed
    -- pull that starts after one and does not list the lead brings it closer to lost_add.
    select
        adds.email,
        adds.campaign_id,
        adds.state_at

    from adds
    left join leads
        on adds.email = leads.email
        and adds.campaign_id = leads.campaign_id
    left join drains
        on adds.email = drains.email
        and adds.campaign_id = drains.campaign_id
    where
        adds.state = 'succeeded'
        and (leads.last_seen_at is null or leads.last_seen_at < adds.intent_at)
        and (drains.state_at is null or drains.state_at < adds.intent_at)

),

pulls_after_add as (

    select
        unseen_adds.email,
        unseen_adds.campaign_id,
        pulls.pull_started_at,
        row_number() over (
            partition by unseen_adds.email, unseen_adds.campaign_id
            order by pulls.pull_number nulls last, pulls.run_id nulls last
        ) as pull_after_add

    from unseen_adds
    inner join pulls
        on pulls.pull_started_at > unseen_adds.state_at

),

add_pulls as (

    select
        unseen_adds.email,
        unseen_adds.campaign_id,
        count(pulls_after_add.pull_started_at) as pulls_since_add,
        min(case when pulls_after_add.pull_after_add = 3 then pulls_after_add.pull_started_at end) as lost_at

    from unseen_adds
    left join pulls_after_add
        on unseen_adds.email = pulls_after_add.email
        and unseen_adds.campaign_id = pulls_after_add.campaign_id
    group by unseen_adds.email, unseen_adds.campaign_id

),

sequence_keys as (

    select email, campaign_id from leads
    union distinct
    select email, campaign_id from adds
    union distinct
    select email, campaign_id from drains

),

joined as (

    select
        sequence_keys.email,
        regexp_extract(sequence_keys.email, '@([^@]+)$') as domain,
        sequence_keys.campaign_id,
        leads.lead_id,
        coalesce(leads.timestamp_created, leads.first_seen_at, adds.intent_at) as started_at,
        coalesce(leads.any_in_latest_pull, false) as is_in_instantly,
        coalesce(leads.any_in_latest_pull, false) = false
            and (
                adds.state = 'intent'
                or (
                    adds.state = 'succeeded'
                    and (latest_pull.run_id is null or adds.state_at >= latest_pull.pull_started_at)
                )
                or add_pulls.pulls_since_add < 3
            ) as has_pending_add,
        coalesce(leads.any_in_latest_pull, false) = false
            and adds.state = 'succeeded'
            and coalesce(add_pulls.pulls_since_add >= 3, false) as is_lost_add,
        add_pulls.lost_at,
        case
      when leads.status = -2 then 'unsubscribed'
      when leads.status = -1 then 'bounced'
      when leads.lt_interest_status = -2 then 'wrong_person'
      when leads.lt_interest_status in (-1, -3) then 'not_interested'
      when leads.lt_interest_status in (2, 3, 4, -4) then 'meeting_booked'
      when leads.lt_interest_status = 1 then 'interested'
      when leads.status = -3 then 'skipped'
      when leads.lt_interest_status = 0 and leads.status in (1, 2) then null
      when coalesce(leads.lt_interest_status, 99) <> 0 and coalesce(leads.email_reply_count, 0) > 0 then 'replied'
      when leads.status = 3 then 'completed'
    end as outcome,
        drains.state_at as drained_at,
        drains.reason as drain_reason,
        coalesce(leads.last_seen_at, adds.state_at) as last_known_at,
        adds.state as add_state,
        coalesce((coalesce(leads.lt_interest_status, 99) <> 0 and (coalesce(leads.email_reply_count, 0) > 0 or leads.lt_interest_status in (1, 2, 3, 4, -1, -2, -3, -4))), false)
            or coalesce(drains.reason in ('replied', 'interested', 'meeting_booked', 'not_interested', 'wrong_person'), false) as has_real_reply,
        leads.timestamp_last_reply,
        leads.timestamp_last_interest_change,
        leads.first_contact_at,
        leads.first_contact_at is not null
            or case
      when leads.status = -2 then 'unsubscribed'
      when leads.status = -1 then 'bounced'
      when leads.lt_interest_status = -2 then 'wrong_person'
      when leads.lt_interest_status in (-1, -3) then 'not_interested'
      when leads.lt_interest_status in (2, 3, 4, -4) then 'meeting_booked'
      when leads.lt_interest_status = 1 then 'interested'
      when leads.status = -3 then 'skipped'
      when leads.lt_interest_status = 0 and leads.status in (1, 2) then null
      when coalesce(leads.lt_interest_status, 99) <> 0 and coalesce(leads.email_reply_count, 0) > 0 then 'replied'
      when leads.status = 3 then 'completed'
    end is not null
            or coalesce((coalesce(leads.lt_interest_status, 99) <> 0 and (coalesce(leads.email_reply_count, 0) > 0 or leads.lt_interest_status in (1, 2, 3, 4, -1, -2, -3, -4))), false)
            or coalesce(drains.reason in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested', 'meeting_booked', 'interested', 'replied', 'completed'), false) as was_emailed,
        leads.last_seen_at,
        action_times.last_action_at

    from sequence_keys
    left join leads
        on sequence_keys.email = leads.email
        and sequence_keys.campaign_id = leads.campaign_id
    left join adds
        on sequence_keys.email = adds.email
        and sequence_keys.campaign_id = adds.campaign_id
    left join drains
        on sequence_keys.email = drains.email
        and sequence_keys.campaign_id = drains.campaign_id
    left join action_times
        on sequence_keys.email = action_times.email
        and sequence_keys.campaign_id = action_times.campaign_id
    left join add_pulls
        on sequence_keys.email = add_pulls.email
        and sequence_keys.campaign_id = add_pulls.campaign_id
    left join latest_pull
        on true

),

ended as (

    select
        joined.*,
        joined.is_in_instantly or coalesce(joined.has_pending_add, false) as is_ongoing,
        case
            when joined.is_in_instantly or coalesce(joined.has_pending_add, false) then null
            when joined.is_lost_add then joined.lost_at
            else coalesce(joined.drained_at, joined.last_known_at)
        end as ended_at,
        case
            when joined.is_in_instantly or coalesce(joined.has_pending_add, false) then null
            when joined.is_lost_add then 'lost_add'
            else coalesce(
                    joined.drain_reason,
                    joined.outcome,
                    case when joined.add_state = 'skipped' then 'skipped' else 'removed' end
                )
        end as end_reason

    from joined

),

final as (

    select
        email,
        domain,
        campaign_id,
        lead_id,
        started_at,
        is_in_instantly,
        coalesce(has_pending_add, false) as has_pending_add,
        is_ongoing,
        outcome,
        drained_at,
        drain_reason,
        ended_at,
        end_reason,
        first_contact_at,
        was_emailed,
        has_real_reply,
        case
            when has_real_reply
                then coalesce(timestamp_last_reply, timestamp_last_interest_change, last_seen_at, drained_at)
        end as replied_at,
        case when not coalesce(was_emailed, false) and coalesce(end_reason not in ('skipped', 'lost_add'), true) then 0 else case end_reason
      when 'unsubscribed' then 90
      when 'bounced' then 90
      when 'wrong_person' then 90
      when 'not_interested' then 90
      when 'meeting_booked' then 365
      when 'interested' then 365
      when 'skipped' then 90
      when 'replied' then 365
      when 'completed' then 90
      when 'suppressed' then 90
      when 'company_replied' then 90
      when 'stuck' then 90
      when 'stale' then 90
      when 'removed' then 90
      when 'lost_add' then 0
      else 90
    end end as cooldown_days,
        TIMESTAMP_ADD(ended_at, INTERVAL case when not coalesce(was_emailed, false) and coalesce(end_reason not in ('skipped', 'lost_add'), true) then 0 else case end_reason
      when 'unsubscribed' then 90
      when 'bounced' then 90
      when 'wrong_person' then 90
      when 'not_interested' then 90
      when 'meeting_booked' then 365
      when 'interested' then 365
      when 'skipped' then 90
      when 'replied' then 365
      when 'completed' then 90
      when 'suppressed' then 90
      when 'company_replied' then 90
      when 'stuck' then 90
      when 'stale' then 90
      when 'removed' then 90
      when 'lost_add' then 0
      else 90
    end end DAY) as cooldown_until,
        last_seen_at,
        last_action_at

    from ended

)

select * from final
