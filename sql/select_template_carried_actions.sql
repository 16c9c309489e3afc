-- The actions a partner's template starts from: those of its current accepted file of the
-- year before (bound as previous_year) that were not yet afgerond or gestopt.
SELECT
    a.action_id AS action_id,
    a.theme AS theme,
    a.title AS title,
    a.status AS status,
    a.start_date AS start_date,
    a.programme AS programme
FROM partners.actions AS a
WHERE a.partner_id = :partner_id
  AND a.reporting_year = :previous_year
  AND a.status IN ('gepland', 'lopend')
ORDER BY a.source_row, a.action_id
