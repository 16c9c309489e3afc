-- letter.partner_reporting rows for one reporting year (:reporting_year): every partner of the
-- registry taking part that year (first_year <= year, last_year empty or >= year), whether an
-- accepted submission exists, when the last accepted one was received, how many actions of the
-- programme (:programme) it holds and how many files were rejected. The file is the partner's
-- whatever its programmes: a partner whose file has no action of the programme did report, with
-- 0 actions. The caller adds the programme and replaces the year's rows atomically.
SELECT
    r.partner_id AS partner_id,
    r.name AS partner_name,
    CASE WHEN acc.accepted_count > 0 THEN TRUE ELSE FALSE END
        AS has_accepted_submission,
    acc.last_received_at AS accepted_received_at,
    COALESCE(act.action_count, 0) AS action_count,
    COALESCE(rej.rejected_count, 0) AS rejected_submission_count
FROM partners.registry AS r
LEFT JOIN (
    SELECT partner_id, COUNT(*) AS accepted_count, MAX(received_at) AS last_received_at
    FROM partners.submissions
    WHERE reporting_year = :reporting_year AND status = 'accepted'
    GROUP BY partner_id
) AS acc ON acc.partner_id = r.partner_id
LEFT JOIN (
    SELECT partner_id, COUNT(*) AS rejected_count
    FROM partners.submissions
    WHERE reporting_year = :reporting_year AND status = 'rejected'
    GROUP BY partner_id
) AS rej ON rej.partner_id = r.partner_id
LEFT JOIN (
    SELECT partner_id, COUNT(*) AS action_count
    FROM partners.actions
    WHERE reporting_year = :reporting_year AND programme = :programme
    GROUP BY partner_id
) AS act ON act.partner_id = r.partner_id
WHERE r.first_year <= :reporting_year
  AND (r.last_year IS NULL OR r.last_year >= :reporting_year)
ORDER BY r.name, r.partner_id
