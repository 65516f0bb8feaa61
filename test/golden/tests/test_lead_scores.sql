-- test query
with

leads as (

    select * from (
  select
    'top@a.com' as email,
    6000000.0 as estimated_sales_yearly,
    TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 30 DAY) as klaviyo_installed_at,
    5000 as product_count,
    250.0 as avg_price,
    'NY' as state,
    'US' as country_code
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
-- A big, recent Klaviyo shop in the US scores every point. Its install date is dated from now in the
-- same query as the model (it does not reach the output), so it is recent whatever the clock says.


select
  'top@a.com' as email,
  40 as revenue_points,
  30 as technology_points,
  20 as geography_points,
  10 as timing_points,
  100 as score
