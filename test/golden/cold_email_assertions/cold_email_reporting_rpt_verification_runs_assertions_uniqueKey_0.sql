SELECT
  *
FROM (
  SELECT
    run_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_reporting.rpt_verification_runs`
  GROUP BY run_id
  ) AS data
WHERE index_row_count > 1
