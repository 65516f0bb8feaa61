SELECT
  *
FROM (
  SELECT
    campaign_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_instantly_campaign_sending`
  GROUP BY campaign_id
  ) AS data
WHERE index_row_count > 1
