with

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

dnc as (

    select * from `cold-email-local.cold_email_staging.stg_dnc_list`

),

matches as (

    select
        leads.email,
        leads.domain,
        'dnc_email' as reason,
        dnc.value as dnc_value,
        dnc.value = leads.email as is_exact,
        coalesce(dnc.source, dnc.reason) as detail,
        dnc.added_at

    from leads
    inner join dnc
        on dnc.kind = 'email'
        and regexp_replace(dnc.value, '^([^@+]+)\\+[^@]*@', '\\1@') = regexp_replace(leads.email, '^([^@+]+)\\+[^@]*@', '\\1@')

    union all

    select
        leads.email,
        leads.domain,
        'dnc_domain' as reason,
        dnc.value as dnc_value,
        dnc.value = leads.domain as is_exact,
        coalesce(dnc.source, dnc.reason) as detail,
        dnc.added_at

    from leads
    inner join dnc
        on dnc.kind = 'domain'
        and regexp_extract(dnc.value, '([^.]+\\.[^.]+)$') = regexp_extract(leads.domain, '([^.]+\\.[^.]+)$')
        and (leads.domain = dnc.value or ends_with(leads.domain, concat('.', dnc.value)))

),

final as (

    select
        email,
        min(reason) as reason

    from matches
    group by email

)

select * from final
