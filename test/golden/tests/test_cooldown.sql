-- test query
with

history as (

    select * from (
  select
    'done@a.com' as email,
    'camp-1' as campaign_id,
    'a.com' as domain,
    CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as ended_at,
    'completed' as end_reason,
    90 as cooldown_days,
    TIMESTAMP_ADD(CAST('2001-01-01 00:00:00+00' AS TIMESTAMP), INTERVAL 90 DAY) as cooldown_until,
    false as has_real_reply,
    cast(null as TIMESTAMP) as replied_at
  union all
  select
    'done@a.com' as email,
    'camp-0' as campaign_id,
    'a.com' as domain,
    CAST('2000-07-01 00:00:00+00' AS TIMESTAMP) as ended_at,
    'not_interested' as end_reason,
    90 as cooldown_days,
    TIMESTAMP_ADD(CAST('2000-07-01 00:00:00+00' AS TIMESTAMP), INTERVAL 90 DAY) as cooldown_until,
    false as has_real_reply,
    cast(null as TIMESTAMP) as replied_at
  union all
  select
    'running@c.com' as email,
    'camp-1' as campaign_id,
    'c.com' as domain,
    cast(null as TIMESTAMP) as ended_at,
    cast(null as STRING) as end_reason,
    90 as cooldown_days,
    cast(null as TIMESTAMP) as cooldown_until,
    false as has_real_reply,
    cast(null as TIMESTAMP) as replied_at
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
-- The latest cooldown_until of an email wins; an expired one is not cooling down; a running sequence
-- (no ended_at) sets none.


select
  'done@a.com' as cooldown_key,
  'email' as scope,
  'completed' as reason,
  CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as ended_at,
  90 as cooldown_days,
  TIMESTAMP_ADD(CAST('2001-01-01 00:00:00+00' AS TIMESTAMP), INTERVAL 90 DAY) as cooldown_until,
  false as is_cooling_down
