with

inventory as (

    select * from `cold-email-local.cold_email_staging.int_inventory`

),

totals as (

    select
        coalesce(sum(active_inventory), 0) as active_inventory,
        coalesce(sum(draining), 0) as draining

    from inventory

),

budget as (

    select
        24000 as cap,
        100 as max_adds_per_run,
        3.5 as overfetch_multiplier,
        active_inventory,
        draining,
        24000 - (active_inventory - draining) as headroom

    from totals

),

slotted as (

    select
        budget.*,
        case
            when headroom <= 0 then 0
            when headroom < max_adds_per_run then headroom
            else max_adds_per_run
        end as slots

    from budget

),

split_candidates as (

    select
        sum(CAST(ceil(floor(slotted.slots * inventory.slot_share) * slotted.overfetch_multiplier) AS INT64)) as candidates

    from slotted
    cross join inventory
    where inventory.slot_share is not null

),

final as (

    select
        slotted.cap,
        slotted.max_adds_per_run,
        slotted.overfetch_multiplier,
        slotted.active_inventory,
        slotted.draining,
        slotted.headroom,
        slotted.slots,
        false as is_split,
        CAST(ceil(slotted.slots * slotted.overfetch_multiplier) AS INT64) as candidates

    from slotted
    cross join split_candidates

)

select * from final
