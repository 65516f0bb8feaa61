SELECT
  *
FROM (
  SELECT
    action_id,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_sync_actions`
  GROUP BY action_id
  ) AS data
WHERE index_row_count > 1
