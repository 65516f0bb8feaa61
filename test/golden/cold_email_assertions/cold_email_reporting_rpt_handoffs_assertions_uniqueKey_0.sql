SELECT
  *
FROM (
  SELECT
    email, campaign_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_reporting.rpt_handoffs`
  GROUP BY email, campaign_id
  ) AS data
WHERE index_row_count > 1
