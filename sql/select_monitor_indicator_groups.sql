-- The population groups monitor.indicators holds: the groups monitor.comparisons is written for.
SELECT DISTINCT population_group FROM monitor.indicators ORDER BY population_group
