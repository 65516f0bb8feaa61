SELECT
  *
FROM (
  SELECT
    campaign_id, run_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_instantly_campaigns`
  GROUP BY campaign_id, run_id
  ) AS data
WHERE index_row_count > 1
