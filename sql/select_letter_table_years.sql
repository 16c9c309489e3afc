-- The years each CBS table has figures for, per indicator: a key-figure statement whose latest
-- published gap is older than these (up to the reporting year) names the later years as
-- without a figure for its groups.
SELECT DISTINCT source_table, indicator, year
FROM monitor.indicators
WHERE value IS NOT NULL
