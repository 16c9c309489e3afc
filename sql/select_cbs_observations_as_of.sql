-- Every CBS table's observations as the warehouse held them at a moment (:as_of, UTC): the rows
-- of each table's last take at or before it, in the columns of cbs.observations plus the version.
SELECT
    o.table_id, o.period_code, o.year, o.provisional, o.population_group_key,
    o.population_group_title, o.measure_key, o.measure_title, o.unit, o.value, o.source_version
FROM (
    SELECT
        v.table_id,
        v.source_version,
        ROW_NUMBER() OVER (PARTITION BY v.table_id ORDER BY v.taken_at DESC) AS newest
    FROM cbs.table_versions AS v
    WHERE v.taken_at <= :as_of
) AS takes
JOIN cbs.observation_vintages AS o
    ON o.table_id = takes.table_id AND o.source_version = takes.source_version
WHERE takes.newest = 1
ORDER BY o.table_id, o.period_code, o.population_group_key, o.measure_key
