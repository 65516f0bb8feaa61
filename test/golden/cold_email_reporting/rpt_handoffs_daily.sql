with

handoffs as (

    select * from `cold-email-local.cold_email_reporting.rpt_handoffs`

),

final as (

    select
        date(drained_at) as day,
        campaign_id,
        min(campaign_name) as campaign_name,
        min(segment) as segment,
        count(*) as handoffs,
        sum(case when handoff_reason = 'meeting_booked' then 1 else 0 end) as handoffs_meeting_booked,
        sum(case when handoff_reason = 'interested' then 1 else 0 end) as handoffs_interested,
        sum(case when handoff_reason = 'replied' then 1 else 0 end) as handoffs_replied

    from handoffs
    group by date(drained_at), campaign_id

)

select * from final
