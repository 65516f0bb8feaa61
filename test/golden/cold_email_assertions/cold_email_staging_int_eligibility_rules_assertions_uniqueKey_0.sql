SELECT
  *
FROM (
  SELECT
    rule,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_eligibility_rules`
  GROUP BY rule
  ) AS data
WHERE index_row_count > 1
