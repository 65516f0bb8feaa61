with

leads as (

    -- One row per lead of stg_leads, with the rule flags the eligibility rules read.
    select * from `cold-email-local.cold_email_staging.int_lead_flags`

),

scores as (

    select * from `cold-email-local.cold_email_staging.int_lead_scores`

),

segments as (

    select * from `cold-email-local.cold_email_staging.int_lead_segments`

),

suppression as (

    select * from `cold-email-local.cold_email_staging.int_suppression`

),

cooldowns as (

    select * from `cold-email-local.cold_email_staging.int_cooldown`
    where is_cooling_down

),

history as (

    select * from `cold-email-local.cold_email_staging.int_contact_history`

),

verifications as (

    select * from `cold-email-local.cold_email_staging.stg_email_verifications`
    where is_latest_for_email

),

email_suppression as (

    select
        suppressed_value as email,
        reason,
        row_number() over (
            partition by suppressed_value
            order by suppressed_since nulls last, reason asc nulls last
        ) as row_in_email

    from suppression
    where suppression_kind = 'email'

),

domain_suppression as (

    select
        suppressed_value as domain,
        reason,
        row_number() over (
            partition by suppressed_value
            order by suppressed_since nulls last, reason asc nulls last
        ) as row_in_domain

    from suppression
    where suppression_kind = 'domain'

),

in_flight as (

    select distinct email
    from history
    where is_ongoing

),

email_cooldowns as (

    select * from cooldowns
    where scope = 'email'

),

domain_cooldowns as (

    select * from cooldowns
    where scope = 'domain'

),

joined as (

    select
        leads.email,
        leads.domain,
        leads.is_valid_email,
        leads.is_role_account,
        leads.is_free_mail,
        leads.is_disposable,
        segments.segment,
        segments.campaign_id,
        scores.score,
        segments.estimated_sales_yearly,
        segments.updated_at,
        coalesce(email_suppression.reason, domain_suppression.reason) as suppression_reason,
        in_flight.email is not null as is_in_flight,
        email_cooldowns.cooldown_until as email_cooldown_until,
        email_cooldowns.reason as email_cooldown_reason,
        domain_cooldowns.cooldown_until as domain_cooldown_until,
        verifications.result as verification_result,
        verifications.verified_at

    from leads
    left join scores
        on leads.email = scores.email
    left join segments
        on leads.email = segments.email
    left join email_suppression
        on leads.email = email_suppression.email
        and email_suppression.row_in_email = 1
    left join domain_suppression
        on leads.domain = domain_suppression.domain
        and domain_suppression.row_in_domain = 1
    left join in_flight
        on leads.email = in_flight.email
    left join email_cooldowns
        on leads.email = email_cooldowns.cooldown_key
    left join domain_cooldowns
        on leads.domain = domain_cooldowns.cooldown_key
        and not leads.is_free_mail
    left join verifications
        on leads.email = verifications.email

),

checked as (

    select
        joined.*,
        case
            when (not joined.is_valid_email) then 'invalid_email'
            when (joined.suppression_reason is not null) then 'suppressed'
            when (joined.is_disposable) then 'disposable'
            when (joined.is_role_account) then 'role_account'
            when false then 'free_mail'
            when (joined.is_in_flight) then 'in_instantly'
            when (joined.email_cooldown_until is not null) then 'cooling_down'
            when (joined.domain_cooldown_until is not null) then 'company_cooling_down'
            when (joined.verification_result = 'catch_all'
                and joined.verified_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 365 DAY)) then 'catch_all'
            when (joined.segment is null) then 'no_segment'
        end as ineligible_reason,
        nullif(
            rtrim(concat(
                case when coalesce((not joined.is_valid_email), false) then 'invalid_email,' else '' end,
                case when coalesce((joined.suppression_reason is not null), false) then 'suppressed,' else '' end,
                case when coalesce((joined.is_disposable), false) then 'disposable,' else '' end,
                case when coalesce((joined.is_role_account), false) then 'role_account,' else '' end,
                case when coalesce(false, false) then 'free_mail,' else '' end,
                case when coalesce((joined.is_in_flight), false) then 'in_instantly,' else '' end,
                case when coalesce((joined.email_cooldown_until is not null), false) then 'cooling_down,' else '' end,
                case when coalesce((joined.domain_cooldown_until is not null), false) then 'company_cooling_down,' else '' end,
                case when coalesce((joined.verification_result = 'catch_all'
                and joined.verified_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 365 DAY)), false) then 'catch_all,' else '' end,
                case when coalesce((joined.segment is null), false) then 'no_segment,' else '' end
            ), ','),
            ''
        ) as failed_rules

    from joined

),

final as (

    select
        email,
        domain,
        is_free_mail,
        segment,
        campaign_id,
        score,
        estimated_sales_yearly,
        updated_at,
        suppression_reason,
        case
            when email_cooldown_until is null then domain_cooldown_until
            when domain_cooldown_until is null then email_cooldown_until
            when email_cooldown_until >= domain_cooldown_until then email_cooldown_until
            else domain_cooldown_until
        end as cooldown_until,
        case
            when email_cooldown_until is null and domain_cooldown_until is not null then 'company_replied'
            when domain_cooldown_until is null then email_cooldown_reason
            when email_cooldown_until >= domain_cooldown_until then email_cooldown_reason
            else 'company_replied'
        end as cooldown_reason,
        is_in_flight,
        verification_result,
        verified_at,
        true
            and not coalesce(
                verification_result in ('verified')
                and verified_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY),
                false
            ) as needs_verification,
        coalesce(
            verification_result = 'pending'
            and verified_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 90 DAY),
            false
        ) as verification_pending,
        ineligible_reason,
        failed_rules,
        ineligible_reason is null as is_eligible

    from checked

)

select * from final
