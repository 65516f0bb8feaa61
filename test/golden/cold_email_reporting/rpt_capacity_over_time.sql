with

pulls as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`

),

per_campaign as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_campaigns`
    where campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df')

),

final as (

    select
        pulls.run_id,
        pulls.pull_number,
        pulls.pull_finished_at as pulled_at,
        case per_campaign.campaign_id
      when '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' then 'smb'
      when '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' then 'midsize'
    end as segment,
        per_campaign.campaign_id,
        per_campaign.leads_held,
        per_campaign.active_leads,
        sum(per_campaign.leads_held) over (partition by pulls.run_id) as total_held,
        24000 as inventory_cap,
        SAFE_DIVIDE(100.0 * sum(per_campaign.leads_held) over (partition by pulls.run_id), 24000) as utilisation_pct

    from per_campaign
    inner join pulls
        on per_campaign.run_id = pulls.run_id

)

select * from final
