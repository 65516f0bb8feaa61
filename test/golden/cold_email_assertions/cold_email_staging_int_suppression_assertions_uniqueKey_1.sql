SELECT
  *
FROM (
  SELECT
    suppressed_value, suppression_kind, reason, suppressed_since, detail,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_suppression`
  GROUP BY suppressed_value, suppression_kind, reason, suppressed_since, detail
  ) AS data
WHERE index_row_count > 1
