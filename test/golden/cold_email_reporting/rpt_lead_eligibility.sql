select
    segment,
    coalesce(ineligible_reason, 'eligible') as status,
    count(*) as leads,
    sum(case when is_eligible and needs_verification then 1 else 0 end) as needing_verification

from `cold-email-local.cold_email_staging.int_lead_eligibility`
group by 1, 2
