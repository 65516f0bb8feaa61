with

queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

ongoing as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`
    where is_ongoing

)

select
    queue.action_id,
    ongoing.campaign_id as ongoing_campaign_id

from queue
inner join ongoing
    on queue.email = ongoing.email
