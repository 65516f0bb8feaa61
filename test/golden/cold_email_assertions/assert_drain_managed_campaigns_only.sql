with

queue as (

    select * from `cold-email-local.cold_email.drain_queue`

),

held as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`
    where is_in_latest_pull

)

select
    queue.action_id,
    queue.campaign_id,
    queue.reason

from queue
left join held
    on queue.lead_id = held.lead_id
    and queue.campaign_id = held.campaign_id
where
    queue.campaign_id not in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df')
    or held.lead_id is null
    or queue.reason not in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested', 'meeting_booked', 'interested', 'skipped', 'replied', 'completed', 'suppressed', 'company_replied', 'stuck', 'stale')
