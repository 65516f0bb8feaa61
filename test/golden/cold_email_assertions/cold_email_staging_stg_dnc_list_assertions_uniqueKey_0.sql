SELECT
  *
FROM (
  SELECT
    kind, value,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_dnc_list`
  GROUP BY kind, value
  ) AS data
WHERE index_row_count > 1
