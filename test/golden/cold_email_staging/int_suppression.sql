with

dnc as (

    select * from `cold-email-local.cold_email_staging.stg_dnc_list`

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

),

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

actions as (

    select * from `cold-email-local.cold_email_staging.stg_sync_action_state`

),

verifications as (

    select * from `cold-email-local.cold_email_staging.stg_email_verifications`

),

from_dnc as (

    select
        value as suppressed_value,
        kind as suppression_kind,
        case when kind = 'domain' then 'dnc_domain' else 'dnc_email' end as reason,
        added_at as suppressed_since,
        coalesce(source, reason) as detail

    from dnc

),

known_emails as (

    -- The emails a DNC entry can cover beyond its own value: the pool and every Instantly lead.
    select email, domain from leads
    union distinct
    select email, domain from instantly_leads
    where email is not null

),

dnc_matches as (

    select
        known_emails.email,
        known_emails.domain,
        'dnc_email' as reason,
        dnc.value as dnc_value,
        dnc.value = known_emails.email as is_exact,
        coalesce(dnc.source, dnc.reason) as detail,
        dnc.added_at

    from known_emails
    inner join dnc
        on dnc.kind = 'email'
        and regexp_replace(dnc.value, '^([^@+]+)\\+[^@]*@', '\\1@') = regexp_replace(known_emails.email, '^([^@+]+)\\+[^@]*@', '\\1@')

    union all

    select
        known_emails.email,
        known_emails.domain,
        'dnc_domain' as reason,
        dnc.value as dnc_value,
        dnc.value = known_emails.domain as is_exact,
        coalesce(dnc.source, dnc.reason) as detail,
        dnc.added_at

    from known_emails
    inner join dnc
        on dnc.kind = 'domain'
        and regexp_extract(dnc.value, '([^.]+\\.[^.]+)$') = regexp_extract(known_emails.domain, '([^.]+\\.[^.]+)$')
        and (known_emails.domain = dnc.value or ends_with(known_emails.domain, concat('.', dnc.value)))

),

from_dnc_variants as (

    -- A known lead at a subdomain of a DNC domain (its domain is suppressed), or a plus-tag variant
    -- of a DNC email (that email is suppressed); the entries themselves are in from_dnc.
    select distinct
        case when reason = 'dnc_domain' then domain else email end as suppressed_value,
        case when reason = 'dnc_domain' then 'domain' else 'email' end as suppression_kind,
        reason,
        added_at as suppressed_since,
        detail

    from dnc_matches
    where not is_exact

),

from_instantly as (

    select
        email as suppressed_value,
        'email' as suppression_kind,
        case
            when status = -2 then 'unsubscribed'
            when status = -1 then 'bounced'
            when lt_interest_status = -2 then 'wrong_person'
            when lt_interest_status in (-1, -3) then 'not_interested'
            when verification_status = -1 then 'verification_invalid'
        end as reason,
        coalesce(timestamp_last_interest_change, timestamp_updated, first_seen_at) as suppressed_since,
        campaign_id as detail

    from instantly_leads
    where
        email is not null
        and (
            status in (-2, -1)
            or lt_interest_status in (-2, -1, -3)
            or verification_status = -1
        )

),

from_changelog as (

    select
        email as suppressed_value,
        'email' as suppression_kind,
        case when op = 'verify' then 'verification_invalid' else 'rejected' end as reason,
        state_at as suppressed_since,
        coalesce(error_code, state) as detail

    from actions
    where
        email is not null
        and (
            (op = 'add' and state in ('rejected', 'invalid'))
            or (op = 'verify' and state = 'invalid')
        )

),

from_drains as (

    -- The engine's own record of why it drained (or blocked) a lead: the suppression outlives the
    -- snapshot rows that showed the unsubscribe, bounce or answer (operations/prune_snapshots).
    select
        email as suppressed_value,
        'email' as suppression_kind,
        case when op = 'block' then 'unsubscribed' else reason end as reason,
        state_at as suppressed_since,
        campaign_id as detail

    from actions
    where
        email is not null
        and state = 'succeeded'
        and (
            (op = 'drain' and reason in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested'))
            or op = 'block'
        )

),

from_verifications as (

    select
        email as suppressed_value,
        'email' as suppression_kind,
        'verification_invalid' as reason,
        verified_at as suppressed_since,
        'email_verifications' as detail

    from verifications
    where is_latest_for_email and result = 'invalid'

),

unioned as (

    select * from from_dnc
    union all
    select * from from_dnc_variants
    union all
    select * from from_instantly
    union all
    select * from from_changelog
    union all
    select * from from_drains
    union all
    select * from from_verifications

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
