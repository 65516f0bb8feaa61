with

source as (

    select * from `cold-email-local.cold_email_ops.instantly_campaigns`

),

renamed as (

    -- Storage Write appends are at-least-once: a retried append repeats rows exactly; keep one.
    select distinct
        ---------- ids
        source.run_id,
        translate(source.id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as campaign_id,
        source.name as campaign_name,

        ---------- settings
        source.status,
        source.daily_limit,
        source.stop_on_reply,
        source.stop_on_auto_reply,

        ---------- analytics
        source.leads_count,
        source.contacted_count,
        source.emails_sent_count,
        source.bounced_count,
        source.reply_count,
        source.unsubscribed_count,
        source.completed_count,

        ---------- timestamps
        source.recorded_at

    from source

),

final as (

    select
        renamed.*,
        case renamed.campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        renamed.campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df') as is_managed,
        row_number() over (
            partition by renamed.campaign_id
            order by renamed.recorded_at desc nulls last, renamed.run_id desc nulls last
        ) = 1 as is_latest_snapshot

    from renamed

)

select * from final
