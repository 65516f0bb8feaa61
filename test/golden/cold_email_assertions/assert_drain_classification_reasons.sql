select
    lead_id,
    action,
    drain_reason,
    keep_reason

from `cold-email-local.cold_email_staging.int_drain_classification`
where
    (action = 'drain' and (drain_reason is null or drain_reason not in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested', 'meeting_booked', 'interested', 'skipped', 'replied', 'completed', 'suppressed', 'company_replied', 'stuck', 'stale')))
    or (action = 'keep' and (drain_reason is not null or keep_reason is null))
    or action not in ('keep', 'drain')
    or (is_out_of_office and drain_reason = 'replied')
