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
        JSON_OBJECT('inventory_cap', '24000', 'max_adds_per_run', '100', 'overfetch_multiplier', '3.5', 'pacing', 'capacity', 'first_touch_days', '2', 'pacing_headroom', '0.9', 'slow_ramp_step', '', 'pacing_window_days', '', 'segments', 'smb,midsize', 'smb_campaign_id', '8c46e0c9-c1f9-4201-a8d6-6221bafeada6', 'smb_slot_share', '', 'midsize_campaign_id', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df', 'midsize_slot_share', '') as computed_with,
        CURRENT_TIMESTAMP() as computed_at

    from capacity
    cross join queue
    left join latest_pull
        on true

)

select * from final
