-- letter.theme_progress rows for one reporting year (:reporting_year) and programme
-- (:programme, partners.actions.programme), per theme that has
-- actions; themes without actions are added with zeros from config/themes.yaml by the caller,
-- which also adds the theme titles and replaces the year's rows in one transaction.
-- partners.actions holds the actions of each partner-year's current accepted submission.
SELECT
    a.theme AS theme,
    COUNT(DISTINCT a.partner_id) AS partners_reporting,
    COUNT(*) AS action_count,
    SUM(CASE WHEN a.status = 'gepland' THEN 1 ELSE 0 END) AS actions_planned,
    SUM(CASE WHEN a.status = 'lopend' THEN 1 ELSE 0 END) AS actions_ongoing,
    SUM(CASE WHEN a.status = 'afgerond' THEN 1 ELSE 0 END) AS actions_completed,
    SUM(CASE WHEN a.status = 'gestopt' THEN 1 ELSE 0 END) AS actions_stopped,
    COALESCE(SUM(a.people_reached), 0) AS people_reached,
    COALESCE(SUM(a.employers_reached), 0) AS employers_reached
FROM partners.actions AS a
WHERE a.reporting_year = :reporting_year AND a.programme = :programme
GROUP BY a.theme
ORDER BY a.theme
