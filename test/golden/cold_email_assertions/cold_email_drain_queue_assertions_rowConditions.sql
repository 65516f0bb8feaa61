SELECT
  'reason in (\'unsubscribed\', \'bounced\', \'wrong_person\', \'not_interested\', \'meeting_booked\', \'interested\', \'skipped\', \'replied\', \'completed\', \'suppressed\', \'company_replied\', \'stuck\', \'stale\')' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (reason in ('unsubscribed', 'bounced', 'wrong_person', 'not_interested', 'meeting_booked', 'interested', 'skipped', 'replied', 'completed', 'suppressed', 'company_replied', 'stuck', 'stale'))
UNION ALL
SELECT
  'campaign_id in (\'8c46e0c9-c1f9-4201-a8d6-6221bafeada6\', \'5ffbe8c3-dc0e-41e4-9999-48f00d2015df\')' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df'))
UNION ALL
SELECT
  'not block or suppress' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (not block or suppress)
UNION ALL
SELECT
  'action_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (action_id IS NOT NULL)
UNION ALL
SELECT
  'lead_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (lead_id IS NOT NULL)
UNION ALL
SELECT
  'email IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (email IS NOT NULL)
UNION ALL
SELECT
  'campaign_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (campaign_id IS NOT NULL)
UNION ALL
SELECT
  'reason IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (reason IS NOT NULL)
UNION ALL
SELECT
  'suppress IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (suppress IS NOT NULL)
UNION ALL
SELECT
  'block IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.drain_queue`
WHERE NOT (block IS NOT NULL)
