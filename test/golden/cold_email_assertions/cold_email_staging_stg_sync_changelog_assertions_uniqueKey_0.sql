SELECT
  *
FROM (
  SELECT
    action_id, recorded_at, state,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.stg_sync_changelog`
  GROUP BY action_id, recorded_at, state
  ) AS data
WHERE index_row_count > 1
