SELECT
  'lead_state in (\'invalid_email\', \'in_sequence\', \'queued\', \'suppressed\', \'replied\', \'completed\', \'cooling_down\', \'eligible\', \'ineligible\')' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (lead_state in ('invalid_email', 'in_sequence', 'queued', 'suppressed', 'replied', 'completed', 'cooling_down', 'eligible', 'ineligible'))
UNION ALL
SELECT
  '(lead_state = \'queued\') = (queue_rank is not null)' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT ((lead_state = 'queued') = (queue_rank is not null))
UNION ALL
SELECT
  'lead_state != \'in_sequence\' or current_campaign_id is not null' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (lead_state != 'in_sequence' or current_campaign_id is not null)
UNION ALL
SELECT
  'email IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (email IS NOT NULL)
UNION ALL
SELECT
  'lead_state IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (lead_state IS NOT NULL)
UNION ALL
SELECT
  'state_detail IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (state_detail IS NOT NULL)
UNION ALL
SELECT
  'sequences_so_far IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (sequences_so_far IS NOT NULL)
UNION ALL
SELECT
  'is_contacted IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (is_contacted IS NOT NULL)
UNION ALL
SELECT
  'has_replied IS NOT NULL' AS failing_row_condition,
  *
FROM `cold-email-local.cold_email.lead_status`
WHERE NOT (has_replied IS NOT NULL)
