-- test query
with

inventory as (

    select * from (
  select 'smb' as segment, 1 as segment_order, 'c1' as campaign_id, cast(null as FLOAT64) as slot_share, 23990 as active_inventory, 5 as draining
  union all
  select 'midsize', 2, 'c2', cast(null as FLOAT64), 20, 1
)

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

-- expected output
select
  24000 as cap,
  100 as max_adds_per_run,
  3.5 as overfetch_multiplier,
  24010 as active_inventory,
  6 as draining,
  -4 as headroom,
  0 as slots,
  false as is_split,
  0 as candidates
