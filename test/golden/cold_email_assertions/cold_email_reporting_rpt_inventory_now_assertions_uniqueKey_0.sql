SELECT
  *
FROM (
  SELECT
    segment,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_reporting.rpt_inventory_now`
  GROUP BY segment
  ) AS data
WHERE index_row_count > 1
