SELECT
  'effective_limit >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (effective_limit >= 0)
UNION ALL
SELECT
  'share_per_day >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (share_per_day >= 0)
UNION ALL
SELECT
  'email IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (email IS NOT NULL)
UNION ALL
SELECT
  'campaign_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (campaign_id IS NOT NULL)
UNION ALL
SELECT
  'is_healthy IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (is_healthy IS NOT NULL)
UNION ALL
SELECT
  'effective_limit IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (effective_limit IS NOT NULL)
UNION ALL
SELECT
  'share_per_day IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_sender_capacity`
WHERE NOT (share_per_day IS NOT NULL)
