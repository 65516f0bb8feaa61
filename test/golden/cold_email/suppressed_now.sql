with

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

dnc as (

    select * from `cold-email-local.cold_email_staging.stg_dnc_list`

),

email_matches as (

    select
        leads.email,
        'dnc_email' as reason

    from leads
    inner join dnc
        on dnc.kind = 'email'
        and dnc.value = leads.email

),

domain_matches as (

    select
        leads.email,
        'dnc_domain' as reason

    from leads
    inner join dnc
        on dnc.kind = 'domain'
        and dnc.value = leads.domain

),

unioned as (

    select * from email_matches
    union all
    select * from domain_matches

),

final as (

    select
        unioned.email,
        min(unioned.reason) as reason

    from unioned
    group by unioned.email

)

select * from final
