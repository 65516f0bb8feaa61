SELECT
  'email IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_reporting.rpt_handoffs`
WHERE NOT (email IS NOT NULL)
UNION ALL
SELECT
  'campaign_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_reporting.rpt_handoffs`
WHERE NOT (campaign_id IS NOT NULL)
UNION ALL
SELECT
  'handoff_reason IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_reporting.rpt_handoffs`
WHERE NOT (handoff_reason IS NOT NULL)
UNION ALL
SELECT
  'drained_at IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_reporting.rpt_handoffs`
WHERE NOT (drained_at IS NOT NULL)
