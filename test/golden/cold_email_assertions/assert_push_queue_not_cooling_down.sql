with

queue as (

    select * from `cold-email-local.cold_email.push_queue`

),

cooldowns as (

    select * from `cold-email-local.cold_email_staging.int_cooldown`
    where is_cooling_down

),

-- Two equality joins (email, then domain) rather than one join on an OR: an OR condition cannot use a
-- hash join and took minutes on a large queue.
email_hits as (

    select
        queue.action_id,
        cooldowns.scope,
        cooldowns.reason,
        cooldowns.cooldown_until

    from queue
    inner join cooldowns
        on cooldowns.scope = 'email'
        and queue.email = cooldowns.cooldown_key

),

domain_hits as (

    select
        queue.action_id,
        cooldowns.scope,
        cooldowns.reason,
        cooldowns.cooldown_until

    from queue
    inner join cooldowns
        on cooldowns.scope = 'domain'
        and regexp_extract(queue.email, '@([^@]+)$') = cooldowns.cooldown_key
    where not coalesce(regexp_extract(queue.email, '@([^@]+)$') in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)

)

select * from email_hits
union all
select * from domain_hits
