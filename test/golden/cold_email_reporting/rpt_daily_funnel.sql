with

actions as (

    -- The live view, not stg_sync_action_state: that table is merged by the transform BEFORE apply,
    -- so it never holds the run that just ended.
    select * from `cold-email-local.cold_email_staging.stg_sync_actions`
    where state = 'succeeded' and op in ('add', 'drain')

),

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

events as (

    select
        date(state_at) as day,
        campaign_id,
        op as event,
        reason

    from actions

    union all

    select
        date(replied_at) as day,
        campaign_id,
        'reply' as event,
        cast(null as STRING) as reason

    from history
    where has_real_reply and replied_at is not null

    union all

    select
        date(ended_at) as day,
        campaign_id,
        'bounce' as event,
        cast(null as STRING) as reason

    from history
    where end_reason = 'bounced' and ended_at is not null

),

final as (

    select
        day,
        case campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        sum(case when event = 'add' then 1 else 0 end) as added,
        sum(case when event = 'drain' then 1 else 0 end) as drained,
        sum(case when event = 'drain' and reason = 'unsubscribed' then 1 else 0 end) as drained_unsubscribed,
        sum(case when event = 'drain' and reason = 'bounced' then 1 else 0 end) as drained_bounced,
        sum(case when event = 'drain' and reason = 'wrong_person' then 1 else 0 end) as drained_wrong_person,
        sum(case when event = 'drain' and reason = 'not_interested' then 1 else 0 end) as drained_not_interested,
        sum(case when event = 'drain' and reason = 'meeting_booked' then 1 else 0 end) as drained_meeting_booked,
        sum(case when event = 'drain' and reason = 'interested' then 1 else 0 end) as drained_interested,
        sum(case when event = 'drain' and reason = 'skipped' then 1 else 0 end) as drained_skipped,
        sum(case when event = 'drain' and reason = 'replied' then 1 else 0 end) as drained_replied,
        sum(case when event = 'drain' and reason = 'completed' then 1 else 0 end) as drained_completed,
        sum(case when event = 'drain' and reason = 'suppressed' then 1 else 0 end) as drained_suppressed,
        sum(case when event = 'drain' and reason = 'company_replied' then 1 else 0 end) as drained_company_replied,
        sum(case when event = 'drain' and reason = 'stuck' then 1 else 0 end) as drained_stuck,
        sum(case when event = 'drain' and reason = 'stale' then 1 else 0 end) as drained_stale,
        sum(case when event = 'reply' then 1 else 0 end) as replies,
        sum(case when event = 'bounce' then 1 else 0 end) as bounces

    from events
    group by 1, 2

)

select * from final
