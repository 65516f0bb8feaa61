with

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

dnc as (

    select * from `cold-email-local.cold_email_staging.stg_dnc_list`

),

entries as (

    select
        dnc.value,
        dnc.kind,
        dnc.match_key,
        case when dnc.kind = 'domain' then 'dnc_domain' else 'dnc_email' end as reason,
        coalesce(dnc.source, dnc.reason) as detail,
        dnc.added_at as since

    from dnc

),

matches as (

    select
        leads.email,
        leads.domain,
        entries.reason,
        entries.value as entry_value,
        entries.kind as entry_kind,
        entries.value = leads.email as is_exact,
        entries.detail,
        entries.since

    from leads
    inner join entries
        on entries.kind = 'email'
        and entries.match_key = leads.email_key

    union all

    select
        leads.email,
        leads.domain,
        entries.reason,
        entries.value as entry_value,
        entries.kind as entry_kind,
        entries.value = leads.domain as is_exact,
        entries.detail,
        entries.since

    from leads
    inner join entries
        on entries.kind = 'domain'
        and regexp_extract(entries.value, '([^.]+\\.[^.]+)$') = regexp_extract(leads.domain, '([^.]+\\.[^.]+)$')
        and (leads.domain = entries.value or ends_with(leads.domain, concat('.', entries.value)))

),

final as (

    select
        email,
        min(reason) as reason

    from matches
    group by email

)

select * from final
