SELECT
  *
FROM (
  SELECT
    pull_run_id, campaign_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_send_capacity_history`
  GROUP BY pull_run_id, campaign_id
  ) AS data
WHERE index_row_count > 1
