SELECT
  *
FROM (
  SELECT
    email, date,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_instantly_account_daily`
  GROUP BY email, date
  ) AS data
WHERE index_row_count > 1
