-- test query
with

leads as (

    select * from (
  select
    'edge@b.com' as email,
    1000000.0 as estimated_sales_yearly,
    cast(null as TIMESTAMP) as klaviyo_installed_at,
    1000 as product_count,
    100.0 as avg_price,
    'ON' as state,
    'CA' as country_code
)

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

-- expected output
-- One lead, so one expected row: the model has no ORDER BY and `dataform test` compares rows in order.
-- Values exactly on the thresholds, no Klaviyo, Canada.


select
  'edge@b.com' as email,
  20 as revenue_points,
  0 as technology_points,
  5 as geography_points,
  0 as timing_points,
  25 as score
