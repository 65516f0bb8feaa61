with

alert_events as (

    select * from `cold-email-local.cold_email_ops.alert_events`

),

runs as (

    select * from `cold-email-local.cold_email_reporting.rpt_sync_runs`

),

health as (

    select * from `cold-email-local.cold_email_staging.int_campaign_health`
    where is_managed

),

send_capacity as (

    select * from `cold-email-local.cold_email_staging.int_send_capacity`

),

orphans as (

    select * from `cold-email-local.cold_email_reporting.rpt_orphans`

),

handoffs as (

    select * from `cold-email-local.cold_email_reporting.rpt_handoffs`

),

eligibility as (

    select * from `cold-email-local.cold_email_staging.int_lead_eligibility`

),

candidates as (

    select * from `cold-email-local.cold_email_staging.int_push_candidates`

),

budget as (

    select * from `cold-email-local.cold_email.push_budget`

),

segments as (

    select 'smb' as segment, '8c46e0c9-c1f9-4201-a8d6-6221bafeada6' as campaign_id, 1 as segment_order, CAST(null AS FLOAT64) as slot_share
    union all
    select 'midsize' as segment, '5ffbe8c3-dc0e-41e4-9999-48f00d2015df' as campaign_id, 2 as segment_order, CAST(null AS FLOAT64) as slot_share

),

alert_latest_at as (

    select
        alert,
        max(recorded_at) as recorded_at

    from alert_events
    group by alert

),

open_alerts as (

    -- The last transition of each alert; a cleared row at the same instant wins ('cleared' < 'raised').
    select
        'open_alert' as kind,
        alert_events.alert as subject,
        cast(null as STRING) as segment,
        cast(null as STRING) as campaign_id,
        cast(null as STRING) as reason,
        cast(null as INT64) as items,
        cast(max(alert_events.value) as FLOAT64) as value,
        cast(null as FLOAT64) as threshold,
        alert_latest_at.recorded_at as since,
        cast(null as STRING) as detail,
        1 as sort_order

    from alert_events
    inner join alert_latest_at
        on alert_events.alert = alert_latest_at.alert
        and alert_events.recorded_at = alert_latest_at.recorded_at
    group by alert_events.alert, alert_latest_at.recorded_at
    having min(alert_events.state) = 'raised'

),

last_success as (

    select
        mode,
        max(started_at) as last_succeeded_at

    from runs
    where status = 'succeeded'
    group by mode

),

run_items as (

    -- An apply writes a start row (finished_at NULL) first: a run without its final row was killed,
    -- crashed or is still running.
    select
        case
            when runs.finished_at is null then 'run_unfinished'
            when runs.status = 'failed' then 'run_failed'
            else 'run_partial'
        end as kind,
        runs.run_id as subject,
        cast(null as STRING) as segment,
        cast(null as STRING) as campaign_id,
        runs.mode as reason,
        cast(runs.failed + runs.rejected + runs.unresolved as INT64) as items,
        cast(null as FLOAT64) as value,
        cast(null as FLOAT64) as threshold,
        runs.started_at as since,
        runs.error as detail,
        2 as sort_order

    from runs
    left join last_success
        on runs.mode = last_success.mode
    where
        runs.mode in ('pull', 'apply')
        and (runs.status in ('failed', 'partial') or runs.finished_at is null)
        and (last_success.last_succeeded_at is null or runs.started_at > last_success.last_succeeded_at)

),

bounce_blocked as (

    select
        'campaign_blocked' as kind,
        campaign_id as subject,
        segment,
        campaign_id,
        'bounce_guard' as reason,
        cast(null as INT64) as items,
        cast(bounce_rate_pct as FLOAT64) as value,
        cast(bounce_block_pct as FLOAT64) as threshold,
        cast(null as TIMESTAMP) as since,
        cast(null as STRING) as detail,
        3 as sort_order

    from health
    where is_bounce_blocked

),

capacity_blocked as (

    -- Under pacing cap the sending set-up does not decide the adds, so it blocks nothing; a full
    -- backlog is pacing working, not a block.
    select
        'campaign_blocked' as kind,
        campaign_id as subject,
        segment,
        campaign_id,
        no_adds_reason as reason,
        cast(null as INT64) as items,
        cast(null as FLOAT64) as value,
        cast(null as FLOAT64) as threshold,
        cast(null as TIMESTAMP) as since,
        cast(null as STRING) as detail,
        3 as sort_order

    from send_capacity
    where
        true
        and no_adds_reason is not null
        and no_adds_reason <> 'backlog_full'

),

orphan_items as (

    select
        'orphans' as kind,
        -- qualified: BigQuery reads a bare `kind` in GROUP BY as the output alias above
        orphans.kind as subject,
        cast(null as STRING) as segment,
        cast(null as STRING) as campaign_id,
        orphans.pipeline_action as reason,
        cast(count(*) as INT64) as items,
        cast(null as FLOAT64) as value,
        cast(null as FLOAT64) as threshold,
        min(orphaned_since) as since,
        cast(null as STRING) as detail,
        4 as sort_order

    from orphans
    group by orphans.kind, orphans.pipeline_action

),

handoff_items as (

    select
        'handoffs' as kind,
        campaign_id as subject,
        min(segment) as segment,
        campaign_id,
        cast(null as STRING) as reason,
        cast(count(*) as INT64) as items,
        cast(null as FLOAT64) as value,
        cast(null as FLOAT64) as threshold,
        min(drained_at) as since,
        cast(null as STRING) as detail,
        5 as sort_order

    from handoffs
    where drained_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
    group by campaign_id

),

eligible_by_segment as (

    select
        segment,
        sum(case when is_eligible then 1 else 0 end) as eligible,
        sum(case when ineligible_reason in ('cooling_down', 'company_cooling_down') then 1 else 0 end) as cooling_down,
        sum(case when ineligible_reason = 'suppressed' then 1 else 0 end) as suppressed

    from eligibility
    where segment is not null
    group by segment

),

candidates_by_segment as (

    select
        segment,
        count(*) as candidates

    from candidates
    group by segment

),

pool as (

    select
        segments.segment,
        segments.campaign_id,
        segments.segment_order,
        send_capacity.pool_left as eligible_left,
        send_capacity.new_starts_per_day as adds_per_day,
        send_capacity.runway_days,
        coalesce(eligible_by_segment.eligible, 0) - coalesce(candidates_by_segment.candidates, 0) as held_domain_limit,
        coalesce(eligible_by_segment.cooling_down, 0) as held_cooldown,
        coalesce(eligible_by_segment.suppressed, 0) as held_suppressed

    from segments
    left join send_capacity
        on segments.segment = send_capacity.segment
    left join eligible_by_segment
        on segments.segment = eligible_by_segment.segment
    left join candidates_by_segment
        on segments.segment = candidates_by_segment.segment

),

pool_totals as (

    select
        sum(eligible_left) as eligible_left,
        sum(held_domain_limit) as held_domain_limit,
        sum(held_cooldown) as held_cooldown,
        sum(held_suppressed) as held_suppressed

    from pool

),

listed_items as (

    select * from open_alerts
    union all
    select * from run_items
    union all
    select * from bounce_blocked
    union all
    select * from capacity_blocked
    union all
    select * from orphan_items
    union all
    select * from handoff_items

),

final as (

    select
        kind,
        subject,
        segment,
        campaign_id,
        reason,
        items,
        value,
        threshold,
        since,
        detail,
        cast(null as INT64) as eligible_left,
        cast(null as FLOAT64) as adds_per_day,
        cast(null as FLOAT64) as runway_days,
        cast(null as INT64) as slots,
        cast(null as INT64) as held_domain_limit,
        cast(null as INT64) as held_cooldown,
        cast(null as INT64) as held_suppressed,
        true as needs_attention,
        sort_order

    from listed_items

    union all

    select
        'pool_runway' as kind,
        segment as subject,
        segment,
        campaign_id,
        cast(null as STRING) as reason,
        cast(eligible_left as INT64) as items,
        cast(runway_days as FLOAT64) as value,
        cast(14 as FLOAT64) as threshold,
        cast(null as TIMESTAMP) as since,
        cast(null as STRING) as detail,
        cast(eligible_left as INT64) as eligible_left,
        cast(adds_per_day as FLOAT64) as adds_per_day,
        cast(runway_days as FLOAT64) as runway_days,
        cast(null as INT64) as slots,
        cast(held_domain_limit as INT64) as held_domain_limit,
        cast(held_cooldown as INT64) as held_cooldown,
        cast(held_suppressed as INT64) as held_suppressed,
        coalesce(runway_days < 14, false) as needs_attention,
        6 + segment_order as sort_order

    from pool

    union all

    select
        'pool_fill' as kind,
        'push_budget' as subject,
        cast(null as STRING) as segment,
        cast(null as STRING) as campaign_id,
        cast(null as STRING) as reason,
        cast(budget.queued as INT64) as items,
        cast(budget.queued as FLOAT64) as value,
        cast(budget.slots as FLOAT64) * 0.5 as threshold,
        cast(null as TIMESTAMP) as since,
        cast(null as STRING) as detail,
        cast(pool_totals.eligible_left as INT64) as eligible_left,
        cast(null as FLOAT64) as adds_per_day,
        cast(null as FLOAT64) as runway_days,
        cast(budget.slots as INT64) as slots,
        cast(pool_totals.held_domain_limit as INT64) as held_domain_limit,
        cast(pool_totals.held_cooldown as INT64) as held_cooldown,
        cast(pool_totals.held_suppressed as INT64) as held_suppressed,
        budget.slots > 0 and budget.queued * 2 < budget.slots as needs_attention,
        6 as sort_order

    from budget
    cross join pool_totals

)

select * from final
