with

queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

suppression as (

    select * from `cold-email-local.cold_email_staging.int_suppression`

),

-- Two equality joins (email, then domain) rather than one join on an OR: an OR condition cannot use a
-- hash join and took minutes on a large queue.
email_hits as (

    select
        queue.action_id,
        suppression.suppression_kind,
        suppression.reason

    from queue
    inner join suppression
        on suppression.suppression_kind = 'email'
        and queue.email = suppression.suppressed_value

),

domain_hits as (

    select
        queue.action_id,
        suppression.suppression_kind,
        suppression.reason

    from queue
    inner join suppression
        on suppression.suppression_kind = 'domain'
        and regexp_extract(queue.email, '@([^@]+)$') = suppression.suppressed_value

)

select * from email_hits
union all
select * from domain_hits
