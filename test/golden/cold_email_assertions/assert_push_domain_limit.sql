with

queue as (

    select
        regexp_extract(email, '@([^@]+)$') as domain,
        count(*) as queued

    from `cold-email-local.cold_email.push_queue`
    group by 1

),

held as (

    select * from `cold-email-local.cold_email_staging.int_domain_inventory`

)

select
    queue.domain,
    coalesce(held.active_leads, 0) as active_leads,
    queue.queued

from queue
left join held
    on queue.domain = held.domain
where
    not coalesce(queue.domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)
    and coalesce(held.active_leads, 0) + queue.queued > 1
