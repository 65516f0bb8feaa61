SELECT
  *
FROM (
  SELECT
    campaign_id, email,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_instantly_campaign_accounts`
  GROUP BY campaign_id, email
  ) AS data
WHERE index_row_count > 1
