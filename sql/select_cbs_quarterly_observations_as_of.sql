-- Every CBS table's quarterly observations as the warehouse held them at a moment (:as_of, UTC):
-- the quarterly rows of each table's last take at or before it, in the columns of
-- cbs.quarterly_observations (source_version is the vintage's).
SELECT
    q.table_id, q.period_code, q.year, q.quarter, q.status, q.population_group_key,
    q.population_group_title, q.measure_key, q.measure_title, q.unit, q.value, q.source_version
FROM (
    SELECT
        v.table_id,
        v.source_version,
        ROW_NUMBER() OVER (PARTITION BY v.table_id ORDER BY v.taken_at DESC) AS newest
    FROM cbs.table_versions AS v
    WHERE v.taken_at <= :as_of
) AS takes
JOIN cbs.quarterly_observation_vintages AS q
    ON q.table_id = takes.table_id AND q.source_version = takes.source_version
WHERE takes.newest = 1
ORDER BY q.table_id, q.period_code, q.population_group_key, q.measure_key
