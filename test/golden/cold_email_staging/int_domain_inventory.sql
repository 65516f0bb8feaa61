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

canonical as (

    -- Read as stg_leads reads a lead: the email in the canonical form, the domain through it.
    select
        (case when REGEXP_CONTAINS(translate(trim(email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^[a-z0-9._%+\'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$') then translate(trim(email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') else `cold-email-local.cold_email_staging.canonical_email`(email) end) as email,
        regexp_extract((case when REGEXP_CONTAINS(translate(trim(concat('x@', domain)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^[a-z0-9._%+\'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$') then translate(trim(concat('x@', domain)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') else `cold-email-local.cold_email_staging.canonical_email`(concat('x@', domain)) end), '@([^@]+)$') as domain

    from kept
    where domain is not null

),

people as (

    select
        domain,
        (case
        when regexp_extract(email, '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(email, '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(email, '^([^@+]+)\\+[^@]*@', '\\1@')
    end) as person

    from canonical

),

final as (

    select
        domain,
        count(distinct person) as active_leads,
        case
            when 1 - count(distinct person) < 0 then 0
            else 1 - count(distinct person)
        end as open_slots

    from people
    where domain is not null and not coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)
    group by domain

)

select * from final
