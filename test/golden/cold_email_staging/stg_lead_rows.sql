with



-- The raw table is read where it is used, not through one CTE: DuckDB materialises a CTE read twice,
-- which copied all 1M raw rows on every run.
hashed as (

    select
        raw_leads.*,
        FARM_FINGERPRINT(TO_JSON_STRING(raw_leads)) as row_hash

    from `cold-email-local.cold_email_raw.leads` as raw_leads
    

),

picked as (

    select
        hashed.*,
        count(*) over (partition by hashed.row_hash) as raw_rows,
        row_number() over (
            -- the copies of one fingerprint are equal rows: any one of them
            partition by hashed.row_hash
            order by hashed.row_hash asc nulls last
        ) as row_in_hash

    from hashed

),

renamed as (

    select
        ---------- ids
        picked.row_hash,
        picked.raw_rows,
        (case when REGEXP_CONTAINS(translate(trim(picked.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^[a-z0-9._%+\'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$') then translate(trim(picked.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') else `cold-email-local.cold_email_staging.canonical_email`(picked.email) end) as email,

        ---------- contact
        nullif(trim(substr(trim(regexp_replace(picked.first_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 100)), '') as first_name,
        nullif(trim(substr(trim(regexp_replace(picked.last_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 100)), '') as last_name,

        ---------- company
        nullif(trim(substr(trim(regexp_replace(picked.merchant_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 200)), '') as company_name,
        translate(nullif(trim(picked.platform_domain), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as platform_domain,
        translate(nullif(trim(picked.state), ''), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') as state,
        translate(nullif(trim(picked.country_code), ''), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') as country_code,

        ---------- numerics
        SAFE_CAST(picked.estimated_sales_yearly AS FLOAT64) as estimated_sales_yearly,
        SAFE_CAST(picked.employee_count AS INT64) as employee_count,
        SAFE_CAST(picked.product_count AS INT64) as product_count,
        SAFE_CAST(picked.avg_price AS FLOAT64) as avg_price,

        ---------- timestamps
        picked.klaviyo_installed_at,
        picked.updated_at,

        ---------- other
        picked.source,
        -- the raw row's other columns (row_hash, raw_rows and row_in_hash are this model's own)
        PARSE_JSON((case when REGEXP_CONTAINS(regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(picked), '$.email', '$.first_name', '$.last_name', '$.updated_at', '$.row_hash', '$.raw_rows', '$.row_in_hash')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', ''), '(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){501}') then regexp_replace(regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(picked), '$.email', '$.first_name', '$.last_name', '$.updated_at', '$.row_hash', '$.raw_rows', '$.row_in_hash')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', ''), '("(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){0,500}")|(")((?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){500})(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\])*(")', '\\1\\2\\3\\4') else regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(picked), '$.email', '$.first_name', '$.last_name', '$.updated_at', '$.row_hash', '$.raw_rows', '$.row_in_hash')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '') end)) as custom_variables

    from picked
    where picked.row_in_hash = 1

),

cleaned as (

    select
        renamed.row_hash,
        renamed.raw_rows,
        nullif(renamed.email, '') as email,
        (case
        when regexp_extract(nullif(renamed.email, ''), '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(nullif(renamed.email, ''), '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(nullif(renamed.email, ''), '^([^@+]+)\\+[^@]*@', '\\1@')
    end) as email_key,
        renamed.first_name,
        renamed.last_name,
        renamed.company_name,
        renamed.platform_domain,
        renamed.state,
        renamed.country_code,
        renamed.estimated_sales_yearly,
        renamed.employee_count,
        renamed.product_count,
        renamed.avg_price,
        renamed.klaviyo_installed_at,
        renamed.updated_at,
        renamed.source,
        renamed.custom_variables

    from renamed

),

final as (

    select * from cleaned
    

)

select * from final
