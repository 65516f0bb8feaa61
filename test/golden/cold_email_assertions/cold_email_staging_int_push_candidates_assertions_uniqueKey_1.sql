SELECT
  *
FROM (
  SELECT
    lead_rank,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_push_candidates`
  GROUP BY lead_rank
  ) AS data
WHERE index_row_count > 1
