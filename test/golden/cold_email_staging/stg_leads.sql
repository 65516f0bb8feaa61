with

raw_leads as (

    select * from `cold-email-local.cold_email_raw.leads`

),

renamed as (

    select
        ---------- ids
        (case when REGEXP_CONTAINS(translate(trim(raw_leads.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^[a-z0-9._%+\'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$') then translate(trim(raw_leads.email), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') else `cold-email-local.cold_email_staging.canonical_email`(raw_leads.email) end) as email,

        ---------- contact
        nullif(trim(substr(trim(regexp_replace(raw_leads.first_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 100)), '') as first_name,
        nullif(trim(substr(trim(regexp_replace(raw_leads.last_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 100)), '') as last_name,

        ---------- company
        nullif(trim(substr(trim(regexp_replace(raw_leads.merchant_name, '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '')), 1, 200)), '') as company_name,
        translate(nullif(trim(raw_leads.platform_domain), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') as platform_domain,
        translate(nullif(trim(raw_leads.state), ''), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') as state,
        translate(nullif(trim(raw_leads.country_code), ''), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') as country_code,

        ---------- numerics
        SAFE_CAST(raw_leads.estimated_sales_yearly AS FLOAT64) as estimated_sales_yearly,
        SAFE_CAST(raw_leads.employee_count AS INT64) as employee_count,
        SAFE_CAST(raw_leads.product_count AS INT64) as product_count,
        SAFE_CAST(raw_leads.avg_price AS FLOAT64) as avg_price,

        ---------- timestamps
        raw_leads.klaviyo_installed_at,
        raw_leads.updated_at,

        ---------- other
        raw_leads.source,
        PARSE_JSON((case when REGEXP_CONTAINS(regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(raw_leads), '$.email', '$.first_name', '$.last_name', '$.updated_at')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', ''), '(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){501}') then regexp_replace(regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(raw_leads), '$.email', '$.first_name', '$.last_name', '$.updated_at')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', ''), '("(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){0,500}")|(")((?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\]){500})(?:\\\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]|\\\\[^u]|[^"\\\\])*(")', '\\1\\2\\3\\4') else regexp_replace(regexp_replace(TO_JSON_STRING(JSON_REMOVE(TO_JSON(raw_leads), '$.email', '$.first_name', '$.last_name', '$.updated_at')), '(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])', '\\1'), '[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]', '') end)) as custom_variables

    from raw_leads

),

keyed as (

    select
        renamed.*,
        (case
        when regexp_extract(renamed.email, '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(renamed.email, '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(renamed.email, '^([^@+]+)\\+[^@]*@', '\\1@')
    end) as email_key

    from renamed
    where renamed.email is not null and renamed.email <> ''

),

ranked as (

    select
        keyed.*,
        count(*) over (partition by keyed.email_key) as source_rows,
        row_number() over (
            partition by keyed.email_key
            order by
                keyed.updated_at desc nulls last,
                keyed.company_name asc nulls last,
                keyed.first_name asc nulls last,
                keyed.last_name asc nulls last,
                -- the rest of the row: duplicates equal on every column are interchangeable
                keyed.platform_domain asc nulls last,
                keyed.state asc nulls last,
                keyed.country_code asc nulls last,
                keyed.estimated_sales_yearly asc nulls last,
                keyed.employee_count asc nulls last,
                keyed.product_count asc nulls last,
                keyed.avg_price asc nulls last,
                keyed.klaviyo_installed_at asc nulls last,
                keyed.source asc nulls last,
                -- two forms of one person's address: the first in sort order
                keyed.email asc nulls last
        ) as row_in_email

    from keyed

),

flagged as (

    select
        ranked.*,
        regexp_extract(ranked.email, '@([^@]+)$') as domain,
        regexp_extract(ranked.email, '^(.*)@[^@]*$') as local_part

    from ranked
    where ranked.row_in_email = 1

),

final as (

    select
        email,
        email_key,
        domain,
        coalesce(length(email) <= 254 and REGEXP_CONTAINS(email, '^[a-z0-9_%+\'-]+(\\.[a-z0-9_%+\'-]+)*@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}$'), false) as is_valid_email,
        coalesce(REGEXP_CONTAINS(local_part, '^(abuse|accounting|accounts|admin|administrator|billing|careers|contact|customercare|customerservice|enquiries|feedback|finance|hello|help|hostmaster|hr|info|inquiries|jobs|legal|mail|marketing|media|news|newsletter|no\\-reply|noc|noreply|office|orders|postmaster|press|privacy|sales|security|service|shop|store|support|team|webmaster)([._+-].*)?$'), false) as is_role_account,
        coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false) as is_free_mail,
        coalesce(domain in ('10minutemail.com', 'discard.email', 'dispostable.com', 'fakeinbox.com', 'getnada.com', 'guerrillamail.com', 'maildrop.cc', 'mailinator.com', 'mailnesia.com', 'mintemail.com', 'sharklasers.com', 'temp-mail.org', 'tempmail.com', 'throwawaymail.com', 'trashmail.com', 'yopmail.com'), false) as is_disposable,
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
        source_rows

    from flagged

)

select * from final
