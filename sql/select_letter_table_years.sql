-- The years each CBS table has figures for, per indicator: "latest" in a key-figure statement
-- is the last of these up to the reporting year.
SELECT DISTINCT source_table, indicator, year
FROM monitor.indicators
WHERE value IS NOT NULL
