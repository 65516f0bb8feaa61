with

history as (

    select * from `cold-email-local.cold_email_staging.int_suppression_history`

),

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

known_emails as (

    -- The emails a suppression can cover beyond its own value: the pool and every Instantly lead.
    select
        email,
        email_key,
        domain
    from leads

    -- union all: an email known twice matches twice, and variants keeps distinct rows (no 1M-row distinct).
    union all

    select
        email,
        (case
        when regexp_extract(email, '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(email, '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(email, '^([^@+]+)\\+[^@]*@', '\\1@')
    end) as email_key,
        domain
    from instantly_leads
    where email is not null

),

entries as (

    select
        suppressed_value as value,
        suppression_kind as kind,
        case when suppression_kind = 'email' then (case
        when regexp_extract(suppressed_value, '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(suppressed_value, '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(suppressed_value, '^([^@+]+)\\+[^@]*@', '\\1@')
    end) else suppressed_value end as match_key,
        reason,
        detail,
        suppressed_since as since

    from history

),

matches as (

    select
        known_emails.email,
        known_emails.domain,
        entries.reason,
        entries.value as entry_value,
        entries.kind as entry_kind,
        entries.value = known_emails.email as is_exact,
        entries.detail,
        entries.since

    from known_emails
    inner join entries
        on entries.kind = 'email'
        and entries.match_key = known_emails.email_key

    union all

    select
        known_emails.email,
        known_emails.domain,
        entries.reason,
        entries.value as entry_value,
        entries.kind as entry_kind,
        entries.value = known_emails.domain as is_exact,
        entries.detail,
        entries.since

    from known_emails
    inner join entries
        on entries.kind = 'domain'
        and regexp_extract(entries.value, '([^.]+\\.[^.]+)$') = regexp_extract(known_emails.domain, '([^.]+\\.[^.]+)$')
        and (known_emails.domain = entries.value or ends_with(known_emails.domain, concat('.', entries.value)))

),

variants as (

    -- Another address of a suppressed person (+tag, Gmail dots, googlemail.com), or a known lead at a
    -- subdomain of a suppressed domain; the entries themselves are in history.
    select distinct
        case when entry_kind = 'domain' then domain else email end as suppressed_value,
        entry_kind as suppression_kind,
        reason,
        since as suppressed_since,
        detail

    from matches
    where not is_exact

),

unioned as (

    select * from history
    union all
    select * from variants

),

ranked as (

    select
        unioned.*,
        row_number() over (
            partition by unioned.suppressed_value, unioned.suppression_kind, unioned.reason
            order by unioned.suppressed_since nulls last, unioned.detail asc nulls last
        ) as row_in_reason

    from unioned

),

final as (

    select
        suppressed_value,
        suppression_kind,
        reason,
        suppressed_since,
        detail

    from ranked
    where row_in_reason = 1

)

select * from final
