SELECT
  *
FROM (
  SELECT
    campaign_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_campaign_health`
  GROUP BY campaign_id
  ) AS data
WHERE index_row_count > 1
