-- The newest time among the inputs of one reporting year's annex (:reporting_year): when the
-- current accepted partner files of that year and the years before were received, and CBS's
-- Modified of the tables read. The annex's files are dated by it, never by the clock.
SELECT MAX(moment) AS newest
FROM (
    SELECT MAX(s.received_at) AS moment
    FROM partners.submissions AS s
    WHERE s.is_current AND s.reporting_year <= :reporting_year
    UNION ALL
    SELECT MAX(t.modified) AS moment
    FROM cbs.tables AS t
) AS inputs
