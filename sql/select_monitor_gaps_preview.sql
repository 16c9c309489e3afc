-- The first rows of monitor.gaps in a stable order, for the asset's Markdown preview.
SELECT *
FROM monitor.gaps
ORDER BY source_table, indicator, population_group, reference_group, year
LIMIT :row_limit
