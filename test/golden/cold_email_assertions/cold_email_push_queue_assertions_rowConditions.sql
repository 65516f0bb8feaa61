SELECT
  'rank >= 1' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (rank >= 1)
UNION ALL
SELECT
  'score between 0 and 100' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (score between 0 and 100)
UNION ALL
SELECT
  'campaign_id in (\'8c46e0c9-c1f9-4201-a8d6-6221bafeada6\', \'5ffbe8c3-dc0e-41e4-9999-48f00d2015df\')' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (campaign_id in ('8c46e0c9-c1f9-4201-a8d6-6221bafeada6', '5ffbe8c3-dc0e-41e4-9999-48f00d2015df'))
UNION ALL
SELECT
  'segment in (\'smb\', \'midsize\')' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (segment in ('smb', 'midsize'))
UNION ALL
SELECT
  'action_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (action_id IS NOT NULL)
UNION ALL
SELECT
  'rank IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (rank IS NOT NULL)
UNION ALL
SELECT
  'email IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (email IS NOT NULL)
UNION ALL
SELECT
  'campaign_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (campaign_id IS NOT NULL)
UNION ALL
SELECT
  'segment IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (segment IS NOT NULL)
UNION ALL
SELECT
  'score IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (score IS NOT NULL)
UNION ALL
SELECT
  'needs_verification IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (needs_verification IS NOT NULL)
UNION ALL
SELECT
  'verification_pending IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (verification_pending IS NOT NULL)
UNION ALL
SELECT
  'verify_action_id IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (verify_action_id IS NOT NULL)
UNION ALL
SELECT
  'push_if_catch_all IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_queue`
WHERE NOT (push_if_catch_all IS NOT NULL)
