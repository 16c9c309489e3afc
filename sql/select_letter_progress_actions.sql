-- The actions of the reporting years :first_year to :last_year (each partner-year's current
-- accepted file, as partners.actions holds it), for letter.action_progress (two years),
-- letter.agenda_progress and the status chart (the agenda's years so far), of every programme
-- (the caller takes each programme's own).
SELECT
    a.partner_id AS partner_id,
    a.reporting_year AS reporting_year,
    a.action_id AS action_id,
    a.theme AS theme,
    a.title AS title,
    a.status AS status,
    a.people_reached AS people_reached,
    a.employers_reached AS employers_reached,
    a.submission_sha256 AS submission_sha256,
    a.programme AS programme
FROM partners.actions AS a
WHERE a.reporting_year BETWEEN :first_year AND :last_year
ORDER BY a.partner_id, a.reporting_year, a.action_id
