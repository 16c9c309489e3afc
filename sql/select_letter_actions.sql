-- The actions of one reporting year (:reporting_year) with their partner's name, for the
-- annex's per-theme tables and the workbook's Acties sheet; every programme's (the caller keeps
-- the letter's own and counts the others for its sentence on them).
SELECT
    a.theme AS theme,
    COALESCE(r.name, a.partner_id) AS partner_name,
    a.partner_id AS partner_id,
    a.action_id AS action_id,
    a.title AS title,
    a.status AS status,
    a.start_date AS start_date,
    a.end_date AS end_date,
    a.people_reached AS people_reached,
    a.employers_reached AS employers_reached,
    a.explanation AS explanation,
    a.programme AS programme
FROM partners.actions AS a
LEFT JOIN partners.registry AS r ON r.partner_id = a.partner_id
WHERE a.reporting_year = :reporting_year
ORDER BY partner_name, a.action_id
