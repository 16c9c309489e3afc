-- One CBS table's quarterly observations as they stood at one version
-- (cbs.quarterly_observation_vintages), in the columns of cbs.quarterly_observations; their
-- source_version is the vintage's.
SELECT
    table_id, period_code, year, quarter, status, population_group_key, population_group_title,
    measure_key, measure_title, unit, value, source_version
FROM cbs.quarterly_observation_vintages
WHERE table_id = :table_id AND source_version = :source_version
ORDER BY period_code, population_group_key, measure_key
