-- test query
with

instantly_leads as (

    select * from (
  select
    'L4' as lead_id,
    '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id,
    'old@d.com' as email,
    'd.com' as domain,
    1 as status,
    cast(null as INT64) as lt_interest_status,
    0 as email_reply_count,
    CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as timestamp_created,
    cast(null as TIMESTAMP) as timestamp_last_interest_change,
    CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as first_seen_at,
    true as is_in_latest_pull,
    cast(null as TIMESTAMP) as timestamp_updated,
    cast(null as TIMESTAMP) as first_contact_at
)
    where is_in_latest_pull and campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df')

),

suppression as (

    select * from (
  select
    cast(null as STRING) as suppressed_value,
    cast(null as STRING) as suppression_kind
  limit 0
)

),

history as (

    select * from (
  select
    'boss@c.com' as email,
    'c.com' as domain,
    true as has_real_reply,
    TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY) as replied_at
)

),

active_campaigns as (

    -- A paused lead of a paused campaign waits for its campaign, so it is never stuck.
    select distinct campaign_id
    from (
  select
    '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id,
    1 as status,
    true as is_latest_snapshot
)
    where is_latest_snapshot and status = 1

),

suppressed_emails as (

    select distinct suppressed_value as email
    from suppression
    where suppression_kind = 'email'

),

suppressed_domains as (

    select distinct suppressed_value as domain
    from suppression
    where suppression_kind = 'domain'

),

recent_replies as (

    select distinct
        domain,
        email

    from history
    where
        has_real_reply
        and domain is not null
        and not coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false)
        and replied_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY)

),

colleague_replies as (

    select
        instantly_leads.lead_id,
        count(*) as colleague_replies

    from instantly_leads
    inner join recent_replies
        on instantly_leads.domain = recent_replies.domain
        and instantly_leads.email <> recent_replies.email
    group by instantly_leads.lead_id

),

signals as (

    select
        instantly_leads.*,
        coalesce(instantly_leads.lt_interest_status = 0, false) as is_out_of_office,
        suppressed_emails.email is not null or suppressed_domains.domain is not null as is_suppressed,
        coalesce(colleague_replies.colleague_replies, 0) > 0 as has_colleague_reply,
        case
            when coalesce(instantly_leads.lt_interest_status = 0, false)
                and instantly_leads.timestamp_last_interest_change
                    > coalesce(instantly_leads.first_contact_at, instantly_leads.timestamp_created, instantly_leads.first_seen_at)
                then instantly_leads.timestamp_last_interest_change
            else coalesce(instantly_leads.first_contact_at, instantly_leads.timestamp_created, instantly_leads.first_seen_at)
        end as stale_since,
        case
            when instantly_leads.status = 2 and active_campaigns.campaign_id is not null
                then coalesce(
                    instantly_leads.timestamp_updated,
                    instantly_leads.timestamp_created,
                    instantly_leads.first_seen_at
                )
        end as paused_since

    from instantly_leads
    left join suppressed_emails
        on instantly_leads.email = suppressed_emails.email
    left join suppressed_domains
        on instantly_leads.domain = suppressed_domains.domain
    left join colleague_replies
        on instantly_leads.lead_id = colleague_replies.lead_id
    left join active_campaigns
        on instantly_leads.campaign_id = active_campaigns.campaign_id

),

classified as (

    select
        signals.*,
        coalesce(signals.stale_since <= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY), false) as is_stale,
        not signals.is_out_of_office
            and coalesce(signals.paused_since <= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY), false) as is_stuck,
        coalesce(
            case
      when signals.status = -2 then 'unsubscribed'
      when signals.status = -1 then 'bounced'
      when signals.lt_interest_status = -2 then 'wrong_person'
      when signals.lt_interest_status in (-1, -3) then 'not_interested'
      when signals.lt_interest_status in (2, 3, 4, -4) then 'meeting_booked'
      when signals.lt_interest_status = 1 then 'interested'
      when signals.status = -3 then 'skipped'
      when signals.lt_interest_status = 0 and signals.status in (1, 2) then null
      when coalesce(signals.lt_interest_status, 99) <> 0 and coalesce(signals.email_reply_count, 0) > 0 then 'replied'
      when signals.status = 3 then 'completed'
    end,
            case
                when signals.is_suppressed then 'suppressed'
                when signals.has_colleague_reply then 'company_replied'
                when not signals.is_out_of_office
                    and signals.paused_since <= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY)
                    then 'stuck'
                when signals.stale_since <= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY) then 'stale'
            end
        ) as drain_reason

    from signals

),

final as (

    select
        lead_id,
        email,
        domain,
        campaign_id,
        case campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        status,
        lt_interest_status,
        email_reply_count,
        timestamp_created,
        is_out_of_office,
        is_suppressed,
        has_colleague_reply,
        stale_since,
        is_stale,
        paused_since,
        is_stuck,
        case when drain_reason is null then 'keep' else 'drain' end as action,
        drain_reason,
        case
            when drain_reason is not null then null
            when is_out_of_office then 'out_of_office'
            when status = 1 then 'active'
            when status = 2 then 'paused'
            else 'waiting'
        end as keep_reason,
        coalesce(drain_reason in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested', 'suppressed'), false) as suppress,
        coalesce(drain_reason in ('unsubscribed'), false) as block,
        coalesce(drain_reason in ('meeting_booked', 'interested', 'replied'), false) as handoff

    from classified

)

select * from final

-- expected output
-- An active lead created more than stale_days ago drains as stale.








select
  'L4' as lead_id,
  'old@d.com' as email,
  'd.com' as domain,
  '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id,
  'smb' as segment,
  1 as status,
  cast(null as INT64) as lt_interest_status,
  0 as email_reply_count,
  CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as timestamp_created,
  false as is_out_of_office,
  false as is_suppressed,
  false as has_colleague_reply,
  CAST('2001-01-01 00:00:00+00' AS TIMESTAMP) as stale_since,
  true as is_stale,
  cast(null as TIMESTAMP) as paused_since,
  false as is_stuck,
  'drain' as action,
  'stale' as drain_reason,
  cast(null as STRING) as keep_reason,
  false as suppress,
  false as block,
  false as handoff
