with

source as (

    select * from `cold-email-local.cold_email_raw.dnc_list`

),

canonical as (

    select
        `cold-email-local.cold_email_staging.canonical_dnc`(source.value) as value,
        source.reason,
        source.source,
        source.added_at

    from source

),

typed as (

    select
        canonical.*,
        case when strpos(canonical.value, '@') > 0 then 'email' else 'domain' end as kind

    from canonical
    where canonical.value is not null

),

ranked as (

    select
        typed.*,
        row_number() over (
            partition by typed.kind, typed.value
            order by typed.added_at nulls last, typed.reason asc nulls last, typed.source asc nulls last
        ) as row_in_value

    from typed

),

final as (

    select
        value,
        kind,
        case when kind = 'email' then (case
        when regexp_extract(value, '@([^@]+)$') in ('gmail.com', 'googlemail.com')
            then concat(replace(regexp_extract(regexp_replace(value, '^([^@+]+)\\+[^@]*@', '\\1@'), '^(.*)@[^@]*$'), '.', ''), '@gmail.com')
        else regexp_replace(value, '^([^@+]+)\\+[^@]*@', '\\1@')
    end) else value end as match_key,
        reason,
        source,
        added_at

    from ranked
    where row_in_value = 1

)

select * from final
