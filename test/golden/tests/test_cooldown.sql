-- test query
with

history as (

    select * from (
  select 'exact@a.com' as email, 'camp-1' as campaign_id, 'a.com' as domain, TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY) as ended_at, 'completed' as end_reason, 90 as cooldown_days, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY), INTERVAL 90 DAY) as cooldown_until, false as has_real_reply, cast(null as TIMESTAMP) as replied_at
  union all
  select 'fresh@b.com', 'camp-1', 'b.com', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 10 DAY), 'replied', 365, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 10 DAY), INTERVAL 365 DAY), true, TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 12 DAY)
  union all
  select 'fresh@b.com', 'camp-2', 'b.com', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 5 DAY), 'completed', 90, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 5 DAY), INTERVAL 90 DAY), false, cast(null as TIMESTAMP)
  union all
  select 'running@c.com', 'camp-1', 'c.com', cast(null as TIMESTAMP), cast(null as STRING), 90, cast(null as TIMESTAMP), false, cast(null as TIMESTAMP)
)

),

email_cooldowns as (

    select
        email as cooldown_key,
        'email' as scope,
        end_reason as reason,
        ended_at,
        cooldown_days,
        cooldown_until,
        row_number() over (
            partition by email
            order by cooldown_until desc nulls last, ended_at desc nulls last, end_reason asc nulls last, campaign_id asc nulls last
        ) as row_in_key

    from history
    where ended_at is not null

),

domain_cooldowns as (

    select
        domain as cooldown_key,
        'domain' as scope,
        'company_replied' as reason,
        replied_at as ended_at,
        90 as cooldown_days,
        TIMESTAMP_ADD(replied_at, INTERVAL 90 DAY) as cooldown_until,
        row_number() over (
            partition by domain
            order by replied_at desc nulls last, email asc nulls last, campaign_id asc nulls last
        ) as row_in_key

    from history
    where
        has_real_reply
        and replied_at is not null
        and domain is not null
        and not coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)

),

unioned as (

    select * from email_cooldowns
    where row_in_key = 1
    union all
    select * from domain_cooldowns
    where row_in_key = 1

),

final as (

    select
        cooldown_key,
        scope,
        reason,
        ended_at,
        cooldown_days,
        cooldown_until,
        CURRENT_TIMESTAMP() < cooldown_until as is_cooling_down

    from unioned

)

select * from final

-- expected output
select 'exact@a.com' as cooldown_key, 'email' as scope, 'completed' as reason, TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY) as ended_at, 90 as cooldown_days, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY), INTERVAL 90 DAY) as cooldown_until, false as is_cooling_down
union all
select 'fresh@b.com', 'email', 'replied', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 10 DAY), 365, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 10 DAY), INTERVAL 365 DAY), true
union all
select 'b.com', 'domain', 'company_replied', TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 12 DAY), 90, TIMESTAMP_ADD(TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 12 DAY), INTERVAL 90 DAY), true
