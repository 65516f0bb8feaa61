with

capacity as (

    select * from `cold-email-local.cold_email_staging.int_capacity`

),

segment_slots as (

    select * from `cold-email-local.cold_email_staging.int_segment_slots`

),

queue as (

    select count(*) as queued
    from `cold-email-local.cold_email.push_queue`

),

latest_pull as (

    select * from `cold-email-local.cold_email_staging.stg_instantly_pull_log`
    where is_latest

),

final as (

    select
        capacity.cap,
        capacity.active_inventory,
        capacity.draining,
        capacity.slots,
        capacity.candidates,
        queue.queued,
        JSON_OBJECT('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', (select max(segment_slots.slots) from segment_slots where segment_slots.segment = 'smb'), '5ffbe8c3-dc0e-41e4-9999-48f00d2015df', (select max(segment_slots.slots) from segment_slots where segment_slots.segment = 'midsize')) as campaign_slots,
        latest_pull.run_id as pull_run_id,
        JSON_OBJECT('raw_dataset', 'cold_email_raw', 'ops_dataset', 'cold_email_ops', 'staging_dataset', 'cold_email_staging', 'output_dataset', 'cold_email', 'reporting_dataset', 'cold_email_reporting', 'leads_table', 'leads', 'dnc_table', 'dnc_list', 'segments', 'smb,midsize', 'smb_campaign_id', '8c46e0c9-c1f9-4201-a8d6-6221bafeada6', 'midsize_campaign_id', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df', 'smb_max_revenue', '1000000', 'as_of', '', 'pacing', 'capacity', 'first_touch_days', '2', 'pacing_headroom', '0.9', 'inventory_cap', '24000', 'max_adds_per_run', '100', 'overfetch_multiplier', '3.5', 'cooldown_days', '90', 'cooldown_days_replied', '365', 'cooldown_days_company_replied', '90', 'stale_days', '90', 'max_active_per_domain', '1', 'stuck_days', '30', 'lost_add_pulls', '3', 'cooldown_days_lost_add', '0', 'snapshot_retention_days', '30', 'exclude_role_accounts', 'true', 'exclude_free_mail', 'false', 'exclude_disposable', 'true', 'allow_catch_all', 'false', 'verify_before_push', 'true', 'verification_max_age_days', '90', 'catch_all_recheck_days', '365', 'bounce_block_pct', '3', 'bounce_min_contacted', '20', 'smb_slot_share', '', 'midsize_slot_share', '') as computed_with,
        CURRENT_TIMESTAMP() as computed_at

    from capacity
    cross join queue
    left join latest_pull
        on true

)

select * from final
