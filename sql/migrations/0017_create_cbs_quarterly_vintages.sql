-- Quarterly CBS vintages (issues 22 and 24): every version of a table's quarters ever taken keeps
-- its rows, append-only, as cbs.observation_vintages does for the years (migration 0013).
-- cbs.quarterly_observations keeps its meaning (the current quarters: each table's newest
-- vintage); cbs.quarterly_observation_vintages holds each version's quarterly rows once, under
-- the source_version of cbs.table_versions (the same key as the yearly vintage of that take).
-- The quarterly rows already in the warehouse become their table's first quarterly vintage:
-- that of the table's newest take, which they were written with (same transaction).
CREATE TABLE cbs.quarterly_observation_vintages (
    table_id TEXT NOT NULL,
    source_version TEXT NOT NULL,
    period_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    status TEXT NOT NULL CHECK (status IN ('Definitief', 'Voorlopig', 'Nader voorlopig')),
    population_group_key TEXT NOT NULL,
    population_group_title TEXT NOT NULL,
    measure_key TEXT NOT NULL,
    measure_title TEXT NOT NULL,
    unit TEXT,
    value DOUBLE PRECISION,
    PRIMARY KEY (table_id, source_version, period_code, population_group_key, measure_key)
);

INSERT INTO cbs.quarterly_observation_vintages (
    table_id, source_version, period_code, year, quarter, status, population_group_key,
    population_group_title, measure_key, measure_title, unit, value
)
SELECT
    q.table_id, takes.source_version, q.period_code, q.year, q.quarter, q.status,
    q.population_group_key, q.population_group_title, q.measure_key, q.measure_title, q.unit,
    q.value
FROM cbs.quarterly_observations AS q
JOIN (
    SELECT
        v.table_id,
        v.source_version,
        ROW_NUMBER() OVER (PARTITION BY v.table_id ORDER BY v.taken_at DESC) AS newest
    FROM cbs.table_versions AS v
) AS takes ON takes.table_id = q.table_id AND takes.newest = 1;
