-- test query
with

inventory as (

    select * from (
  select
    'smb' as segment,
    1 as segment_order,
    'c1' as campaign_id,
    cast(null as FLOAT64) as slot_share,
    23990 as active_inventory,
    5 as draining
  union all
  select
    'midsize' as segment,
    2 as segment_order,
    'c2' as campaign_id,
    cast(null as FLOAT64) as slot_share,
    20 as active_inventory,
    1 as draining
)

),

send_capacity as (

    select * from (
  select
    'smb' as segment,
    7 as paced_slots
  union all
  select
    'midsize' as segment,
    3 as paced_slots
)

),

paced as (

    select
        coalesce(sum(paced_slots), 0) as paced_slots

    from send_capacity

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
        paced.paced_slots as paced_slots,
        case
            when headroom <= 0 then 0
            when paced.paced_slots < headroom and paced.paced_slots < max_adds_per_run then paced.paced_slots
            when headroom < max_adds_per_run then headroom
            else max_adds_per_run
        end as slots

    from budget
    cross join paced

),

split_candidates as (

    select
        sum(CAST(ceil(case
            when send_capacity.paced_slots < slotted.slots then send_capacity.paced_slots
            else slotted.slots
        end * slotted.overfetch_multiplier) AS INT64)) as candidates

    from slotted
    cross join send_capacity

),

final as (

    select
        slotted.cap,
        slotted.max_adds_per_run,
        slotted.overfetch_multiplier,
        slotted.active_inventory,
        slotted.draining,
        slotted.headroom,
        slotted.paced_slots,
        slotted.slots,
        true as is_split,
        coalesce(split_candidates.candidates, 0) as candidates

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
  10 as paced_slots,
  0 as slots,
  true as is_split,
  0 as candidates
