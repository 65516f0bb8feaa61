SELECT
  *
FROM (
  SELECT
    email,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_leads`
  GROUP BY email
  ) AS data
WHERE index_row_count > 1
