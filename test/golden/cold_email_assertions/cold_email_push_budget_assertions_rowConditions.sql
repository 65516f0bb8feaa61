SELECT
  'slots >= 0' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (slots >= 0)
UNION ALL
SELECT
  'candidates >= slots' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (candidates >= slots)
UNION ALL
SELECT
  'queued <= candidates' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (queued <= candidates)
UNION ALL
SELECT
  'slots = 0 or active_inventory - draining + slots <= cap' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (slots = 0 or active_inventory - draining + slots <= cap)
UNION ALL
SELECT
  'cap IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (cap IS NOT NULL)
UNION ALL
SELECT
  'active_inventory IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (active_inventory IS NOT NULL)
UNION ALL
SELECT
  'draining IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (draining IS NOT NULL)
UNION ALL
SELECT
  'slots IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (slots IS NOT NULL)
UNION ALL
SELECT
  'candidates IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (candidates IS NOT NULL)
UNION ALL
SELECT
  'queued IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (queued IS NOT NULL)
UNION ALL
SELECT
  'computed_with IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (computed_with IS NOT NULL)
UNION ALL
SELECT
  'computed_at IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.push_budget`
WHERE NOT (computed_at IS NOT NULL)
