with

lead_rows as (

    select * from `cold-email-local.cold_email_staging.stg_lead_rows`
    where raw_rows > 0 and email is not null

),



ranked as (

    select
        lead_rows.*,
        CAST(sum(lead_rows.raw_rows) over (partition by lead_rows.email_key) AS INT64) as source_rows,
        CAST(bit_xor(lead_rows.row_hash) over (partition by lead_rows.email_key) AS STRING) as rows_fingerprint,
        row_number() over (
            partition by lead_rows.email_key
            order by
                lead_rows.updated_at desc nulls last,
                lead_rows.company_name asc nulls last,
                lead_rows.first_name asc nulls last,
                lead_rows.last_name asc nulls last,
                -- the rest of the row
                lead_rows.platform_domain asc nulls last,
                lead_rows.state asc nulls last,
                lead_rows.country_code asc nulls last,
                lead_rows.estimated_sales_yearly asc nulls last,
                lead_rows.employee_count asc nulls last,
                lead_rows.product_count asc nulls last,
                lead_rows.avg_price asc nulls last,
                lead_rows.klaviyo_installed_at asc nulls last,
                lead_rows.source asc nulls last,
                -- two forms of one person's address: the first in sort order
                lead_rows.email asc nulls last,
                -- rows equal on all of the above differ only in extra columns: one of them, always the same
                lead_rows.row_hash asc nulls last
        ) as row_in_email

    from lead_rows
    

),

picked as (

    select
        email,
        email_key,
        regexp_extract(email, '@([^@]+)$') as domain,
        first_name,
        last_name,
        company_name,
        platform_domain,
        state,
        country_code,
        estimated_sales_yearly,
        employee_count,
        product_count,
        avg_price,
        klaviyo_installed_at,
        source,
        updated_at,
        custom_variables,
        source_rows,
        rows_fingerprint

    from ranked
    where row_in_email = 1

),

final as (

    select * from picked
    

)

select * from final
