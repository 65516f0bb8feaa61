SELECT
  'rule_order IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_eligibility_rules`
WHERE NOT (rule_order IS NOT NULL)
UNION ALL
SELECT
  'rule IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_eligibility_rules`
WHERE NOT (rule IS NOT NULL)
UNION ALL
SELECT
  'is_switched_on IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_eligibility_rules`
WHERE NOT (is_switched_on IS NOT NULL)
UNION ALL
SELECT
  'description IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email_staging.int_eligibility_rules`
WHERE NOT (description IS NOT NULL)
