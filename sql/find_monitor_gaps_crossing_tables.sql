-- Check: gap rows whose value or reference_value is not the figure of the row's own source
-- table (a comparison across tables, e.g. across the 2013 series break), or whose figures do
-- not exist in that table at all.
SELECT
    gap.source_table, gap.year, gap.indicator, gap.population_group, gap.reference_group,
    gap.value, grp.value AS table_value,
    gap.reference_value, ref.value AS table_reference_value
FROM monitor.gaps AS gap
LEFT JOIN monitor.indicators AS grp
    ON grp.source_table = gap.source_table
    AND grp.year = gap.year
    AND grp.indicator = gap.indicator
    AND grp.population_group = gap.population_group
LEFT JOIN monitor.indicators AS ref
    ON ref.source_table = gap.source_table
    AND ref.year = gap.year
    AND ref.indicator = gap.indicator
    AND ref.population_group = gap.reference_group
WHERE grp.value IS NULL
    OR ref.value IS NULL
    OR ABS(grp.value - gap.value) > :tolerance
    OR ABS(ref.value - gap.reference_value) > :tolerance
ORDER BY gap.source_table, gap.indicator, gap.population_group, gap.reference_group, gap.year
