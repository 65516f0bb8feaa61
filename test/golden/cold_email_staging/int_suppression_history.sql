with

dnc as (

    select * from `cold-email-local.cold_email_staging.stg_dnc_list`

),

instantly_leads as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_leads`

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
    select
        (case when REGEXP_CONTAINS(translate(trim(suppressed_value), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '^[a-z0-9._%+\'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$') then translate(trim(suppressed_value), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') else `cold-email-local.cold_email_staging.canonical_email`(suppressed_value) end) as suppressed_value,
        suppression_kind,
        reason,
        suppressed_since,
        detail
    from (
        select * from from_instantly
        union all
        select * from from_changelog
        union all
        select * from from_drains
        union all
        select * from from_verifications
    ) as emails

),

ranked as (

    select
        unioned.*,
        row_number() over (
            partition by unioned.suppressed_value, unioned.suppression_kind, unioned.reason
            -- rows still tied are equal in every column kept; the key column closes the order
            order by unioned.suppressed_since nulls last, unioned.detail asc nulls last, unioned.reason asc nulls last
        ) as row_in_reason

    from unioned
    where unioned.suppressed_value is not null

),

final as (

    select
        ranked.suppressed_value,
        ranked.suppression_kind,
        ranked.reason,
        ranked.suppressed_since,
        ranked.detail

    from ranked
    
    where ranked.row_in_reason = 1

)

select * from final
