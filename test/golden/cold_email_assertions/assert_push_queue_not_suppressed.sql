with

queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

suppression as (

    select * from `cold-email-local.cold_email_staging.int_suppression`

)

select
    queue.action_id,
    suppression.suppression_kind,
    suppression.reason

from queue
inner join suppression
    on (suppression.suppression_kind = 'email' and queue.email = suppression.suppressed_value)
    or (
        suppression.suppression_kind = 'domain'
        and regexp_extract(queue.email, '@([^@]+)$') = suppression.suppressed_value
    )
