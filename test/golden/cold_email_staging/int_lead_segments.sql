with

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

routed as (

    select
        email,
        case
      when (leads.estimated_sales_yearly < 1000000 or leads.estimated_sales_yearly is null) then 'smb'
      when (leads.estimated_sales_yearly >= 1000000) then 'midsize'
    end as segment,
        estimated_sales_yearly,
        updated_at

    from leads

),

final as (

    select
        email,
        segment,
        case segment
      when 'smb' then '8c46e0c9-c1f9-4201-a8d6-6221bafeada6'
      when 'midsize' then '5ffbe8c3-dc0e-41e4-9999-48f00d2015df'
    end as campaign_id,
        estimated_sales_yearly,
        updated_at

    from routed

)

select * from final
