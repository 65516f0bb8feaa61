with

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

classification as (

    select * from `cold-email-local.cold_email_staging.int_drain_classification`

),

kept as (

    select
        domain,
        email

    from classification
    where action = 'keep'

    union all

    select
        domain,
        email

    from history
    where has_pending_add

),

final as (

    select
        domain,
        count(distinct email) as active_leads,
        case
            when 1 - count(distinct email) < 0 then 0
            else 1 - count(distinct email)
        end as open_slots

    from kept
    where domain is not null and not coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)
    group by domain

)

select * from final
