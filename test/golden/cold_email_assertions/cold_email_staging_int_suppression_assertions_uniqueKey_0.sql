SELECT
  *
FROM (
  SELECT
    suppressed_value, reason,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_suppression`
  GROUP BY suppressed_value, reason
  ) AS data
WHERE index_row_count > 1
