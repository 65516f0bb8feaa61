with

inventory as (

    select * from `cold-email-local.cold_email_staging.int_inventory`

),

capacity as (

    select * from `cold-email-local.cold_email_staging.int_capacity`

),

final as (

    select
        inventory.segment,
        inventory.campaign_id,
        inventory.slot_share,
        case
            when capacity.is_split then CAST(floor(capacity.slots * coalesce(inventory.slot_share, 0)) AS INT64)
        end as slots,
        case
            when capacity.is_split
                then CAST(ceil(floor(capacity.slots * coalesce(inventory.slot_share, 0)) * capacity.overfetch_multiplier) AS INT64)
        end as candidates

    from inventory
    cross join capacity

)

select * from final
