with

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

points as (

    select
        email,
        case
      when leads.estimated_sales_yearly is null then 0
      when leads.estimated_sales_yearly > 5000000 then 40
      when leads.estimated_sales_yearly > 1000000 then 30
      when leads.estimated_sales_yearly > 500000 then 20
      else 10
    end as revenue_points,
        (case when leads.klaviyo_installed_at is not null then 15 else 0 end
      + case when leads.product_count > 1000 then 10 else 0 end
      + case when leads.avg_price > 100 then 5 else 0 end) as technology_points,
        case
      when leads.state in ('CA', 'NY', 'TX', 'FL') and coalesce(leads.country_code, 'US') = 'US' then 20
      when leads.country_code in ('US') then 10
      when leads.country_code in ('GB', 'CA', 'AU') then 5
      else 0
    end as geography_points,
        case when leads.klaviyo_installed_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 180 DAY) then 10 else 0 end as timing_points

    from leads

),

final as (

    select
        email,
        revenue_points,
        technology_points,
        geography_points,
        timing_points,
        revenue_points + technology_points + geography_points + timing_points as score

    from points

)

select * from final
