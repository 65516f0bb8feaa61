SELECT
  *
FROM (
  SELECT
    scope, cooldown_key,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_cooldown`
  GROUP BY scope, cooldown_key
  ) AS data
WHERE index_row_count > 1
