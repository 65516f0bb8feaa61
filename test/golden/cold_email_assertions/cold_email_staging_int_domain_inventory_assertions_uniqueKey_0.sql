SELECT
  *
FROM (
  SELECT
    domain,
    COUNT(1) AS index_row_count
  FROM `cold-email-local.cold_email_staging.int_domain_inventory`
  GROUP BY domain
  ) AS data
WHERE index_row_count > 1
