SELECT
  *
FROM (
  SELECT
    email, run_id, verified_at,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_email_verifications`
  GROUP BY email, run_id, verified_at
  ) AS data
WHERE index_row_count > 1
