SELECT
  *
FROM (
  SELECT
    cap,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_capacity`
  GROUP BY cap
  ) AS data
WHERE index_row_count > 1
