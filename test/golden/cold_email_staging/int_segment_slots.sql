with

inventory as (

    select * from `cold-email-local.cold_email_staging.int_inventory`

),

capacity as (

    select * from `cold-email-local.cold_email_staging.int_capacity`

),

send_capacity as (

    select * from `cold-email-local.cold_email_staging.int_send_capacity`

),

final as (

    select
        inventory.segment,
        inventory.campaign_id,
        inventory.slot_share,
        coalesce(send_capacity.paced_slots, 0) as slots,
        CAST(ceil(case
            when coalesce(send_capacity.paced_slots, 0) < capacity.slots then coalesce(send_capacity.paced_slots, 0)
            else capacity.slots
        end * capacity.overfetch_multiplier) AS INT64) as candidates

    from inventory
    cross join capacity
    left join send_capacity
        on inventory.segment = send_capacity.segment

)

select * from final
