-- Check: gap rows whose gap_pp is not value - reference_value (within :tolerance).
SELECT
    source_table, year, indicator, population_group, reference_group,
    value, reference_value, gap_pp
FROM monitor.gaps
WHERE ABS(gap_pp - (value - reference_value)) > :tolerance
ORDER BY source_table, indicator, population_group, reference_group, year
