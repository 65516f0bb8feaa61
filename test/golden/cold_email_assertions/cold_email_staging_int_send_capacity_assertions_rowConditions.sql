SELECT
  'paced_slots >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (paced_slots >= 0)
UNION ALL
SELECT
  'new_starts_per_day >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (new_starts_per_day >= 0)
UNION ALL
SELECT
  'backlog >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (backlog >= 0)
UNION ALL
SELECT
  'segment IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (segment IS NOT NULL)
UNION ALL
SELECT
  'campaign_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (campaign_id IS NOT NULL)
UNION ALL
SELECT
  'has_capacity_data IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (has_capacity_data IS NOT NULL)
UNION ALL
SELECT
  'sends_per_day IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (sends_per_day IS NOT NULL)
UNION ALL
SELECT
  'new_starts_per_day IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (new_starts_per_day IS NOT NULL)
UNION ALL
SELECT
  'backlog IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (backlog IS NOT NULL)
UNION ALL
SELECT
  'target_backlog IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (target_backlog IS NOT NULL)
UNION ALL
SELECT
  'paced_slots IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_send_capacity`
WHERE NOT (paced_slots IS NOT NULL)
