SELECT
  *
FROM (
  SELECT
    lead_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_drain_classification`
  GROUP BY lead_id
  ) AS data
WHERE index_row_count > 1
