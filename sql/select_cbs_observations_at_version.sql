-- One CBS table's observations as they stood at one version (cbs.observation_vintages), in the
-- columns of cbs.observations plus the version.
SELECT
    table_id, period_code, year, provisional, population_group_key, population_group_title,
    measure_key, measure_title, unit, value, source_version
FROM cbs.observation_vintages
WHERE table_id = :table_id AND source_version = :source_version
ORDER BY period_code, population_group_key, measure_key
