-- What the monitor/gaps asset reports after a build: rows, provisional rows, tables, series.
SELECT
    COUNT(*) AS row_count,
    COALESCE(SUM(CASE WHEN provisional THEN 1 ELSE 0 END), 0) AS provisional_rows,
    COUNT(DISTINCT source_table) AS source_tables
FROM monitor.gaps
