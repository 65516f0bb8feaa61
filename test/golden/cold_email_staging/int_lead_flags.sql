with

leads as (

    select
        email,
        domain

    from `cold-email-local.cold_email_staging.stg_leads`

),



parts as (

    select
        leads.email,
        leads.domain,
        regexp_extract(leads.email, '^(.*)@[^@]*$') as local_part

    from leads as leads

),

flagged as (

    select
        email,
        domain,
        coalesce(length(email) <= 254 and REGEXP_CONTAINS(email, '^[a-z0-9_%+\'-]+(\\.[a-z0-9_%+\'-]+)*@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}$'), false) as is_valid_email,
        coalesce(REGEXP_CONTAINS(local_part, '^(abuse|accounting|accounts|admin|administrator|billing|careers|contact|customercare|customerservice|enquiries|feedback|finance|hello|help|hostmaster|hr|info|inquiries|jobs|legal|mail|marketing|media|news|newsletter|no\\-reply|noc|noreply|office|orders|postmaster|press|privacy|sales|security|service|shop|store|support|team|webmaster)([._+-].*)?$'), false) as is_role_account,
        coalesce(domain in ('aol.com', 'gmail.com', 'gmx.com', 'gmx.de', 'gmx.net', 'googlemail.com', 'hotmail.co.uk', 'hotmail.com', 'hotmail.fr', 'icloud.com', 'live.com', 'mac.com', 'mail.com', 'mail.ru', 'me.com', 'msn.com', 'outlook.com', 'proton.me', 'protonmail.com', 'qq.com', 'web.de', 'yahoo.co.uk', 'yahoo.com', 'yahoo.fr', 'yandex.com', 'yandex.ru', 'zoho.com'), false) as is_free_mail,
        coalesce(domain in ('10minutemail.com', 'discard.email', 'dispostable.com', 'fakeinbox.com', 'getnada.com', 'guerrillamail.com', 'maildrop.cc', 'mailinator.com', 'mailnesia.com', 'mintemail.com', 'sharklasers.com', 'temp-mail.org', 'tempmail.com', 'throwawaymail.com', 'trashmail.com', 'yopmail.com'), false) as is_disposable,
        '9f584ded' as rules_version

    from parts

),

final as (

    select * from flagged
    

)

select * from final
