with

eligibility as (

    select * from `cold-email-local.cold_email_staging.int_lead_eligibility`
    where is_eligible

),

domains as (

    select * from `cold-email-local.cold_email_staging.int_domain_inventory`

),

enriched as (

    select
        eligibility.email,
        eligibility.domain,
        eligibility.is_free_mail,
        eligibility.segment,
        eligibility.campaign_id,
        eligibility.score,
        eligibility.needs_verification,
        eligibility.verification_pending,
        eligibility.estimated_sales_yearly,
        eligibility.updated_at,
        coalesce(domains.open_slots, 1) as domain_open_slots,
        row_number() over (
            partition by eligibility.domain
            order by
                eligibility.score desc nulls last,
                eligibility.estimated_sales_yearly desc nulls last,
                eligibility.updated_at desc nulls last,
                eligibility.email asc nulls last
        ) as rank_in_domain

    from eligibility
    left join domains
        on eligibility.domain = domains.domain

),

within_domain_limit as (

    select * from enriched
    where is_free_mail or rank_in_domain <= domain_open_slots

),

final as (

    select
        email,
        domain,
        segment,
        campaign_id,
        score,
        needs_verification,
        verification_pending,
        row_number() over (
            order by score desc nulls last, estimated_sales_yearly desc nulls last, updated_at desc nulls last, email asc nulls last
        ) as lead_rank,
        row_number() over (
            partition by segment
            order by score desc nulls last, estimated_sales_yearly desc nulls last, updated_at desc nulls last, email asc nulls last
        ) as segment_rank

    from within_domain_limit

)

select * from final
