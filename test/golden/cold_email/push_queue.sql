with

candidates as (

    select * from `cold-email-local.cold_email_staging.int_push_candidates`

),

capacity as (

    select * from `cold-email-local.cold_email_staging.int_capacity`

),

segment_slots as (

    select * from `cold-email-local.cold_email_staging.int_segment_slots`

),

leads as (

    select * from `cold-email-local.cold_email_staging.stg_leads`

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

selected as (

    select candidates.*
    from candidates
    cross join capacity
    left join segment_slots
        on candidates.segment = segment_slots.segment
    where
        case
            when capacity.is_split then candidates.segment_rank <= coalesce(segment_slots.candidates, 0)
            else candidates.lead_rank <= capacity.candidates
        end

),

final as (

    select
        TO_HEX(MD5(concat(coalesce('add', ''), '|', coalesce(selected.email, ''), '|', coalesce(selected.campaign_id, ''), '|', coalesce(latest_pull.run_id, '')))) as action_id,
        row_number() over (order by selected.lead_rank asc nulls last) as rank,
        selected.email,
        selected.campaign_id,
        selected.segment,
        selected.score,
        selected.needs_verification,
        selected.verification_pending,
        TO_HEX(MD5(concat(coalesce('verify', ''), '|', coalesce(selected.email, ''), '|', coalesce(selected.campaign_id, ''), '|', coalesce(latest_pull.run_id, '')))) as verify_action_id,
        false as push_if_catch_all,
        leads.first_name,
        leads.last_name,
        leads.company_name,
        JSON_OBJECT('merchant_name', JSON_QUERY(leads.custom_variables, '$.merchant_name'), 'platform_domain', JSON_QUERY(leads.custom_variables, '$.platform_domain'), 'state', JSON_QUERY(leads.custom_variables, '$.state'), 'country_code', JSON_QUERY(leads.custom_variables, '$.country_code'), 'estimated_sales_yearly', JSON_QUERY(leads.custom_variables, '$.estimated_sales_yearly'), 'employee_count', JSON_QUERY(leads.custom_variables, '$.employee_count'), 'product_count', JSON_QUERY(leads.custom_variables, '$.product_count'), 'avg_price', JSON_QUERY(leads.custom_variables, '$.avg_price'), 'klaviyo_installed_at', JSON_QUERY(leads.custom_variables, '$.klaviyo_installed_at'), 'source', JSON_QUERY(leads.custom_variables, '$.source')) as custom_variables,
        latest_pull.run_id as pull_run_id

    from selected
    inner join leads
        on selected.email = leads.email
    left join latest_pull
        on true

)

select * from final
