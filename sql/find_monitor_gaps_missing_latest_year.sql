-- Check: in each source table's latest year, every group with a figure must have a gap row
-- against every reference group monitor.comparisons gives it with a figure that year; the pairs
-- without one are returned.
WITH latest AS (
    SELECT source_table, MAX(year) AS year
    FROM monitor.indicators
    WHERE value IS NOT NULL
    GROUP BY source_table
),
expected AS (
    SELECT
        grp.source_table, grp.year, grp.indicator, grp.population_group,
        ref.population_group AS reference_group
    FROM monitor.indicators AS grp
    JOIN latest
        ON latest.source_table = grp.source_table
        AND latest.year = grp.year
    JOIN monitor.indicators AS ref
        ON ref.source_table = grp.source_table
        AND ref.year = grp.year
        AND ref.indicator = grp.indicator
    JOIN monitor.comparisons AS comparisons
        ON comparisons.population_group = grp.population_group
        AND comparisons.reference_group = ref.population_group
    WHERE grp.value IS NOT NULL
        AND ref.value IS NOT NULL
)
SELECT
    expected.source_table, expected.year, expected.indicator,
    expected.population_group, expected.reference_group
FROM expected
LEFT JOIN monitor.gaps AS gap
    ON gap.source_table = expected.source_table
    AND gap.year = expected.year
    AND gap.indicator = expected.indicator
    AND gap.population_group = expected.population_group
    AND gap.reference_group = expected.reference_group
WHERE gap.source_table IS NULL
ORDER BY expected.source_table, expected.indicator, expected.population_group,
    expected.reference_group
