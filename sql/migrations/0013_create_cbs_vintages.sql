-- CBS vintages (issue 22): every version of a CBS table ever taken keeps its rows, append-only.
-- cbs.observations keeps its meaning (the current figures: the newest vintage of each table);
-- cbs.table_versions records each time a table version was taken (one row per change of
-- version, never updated or deleted) and cbs.observation_vintages holds each version's rows
-- once, with how the catalogue resolved in it (cbs.measure_vintages: the Decimals monitor.gaps
-- rounds to; cbs.held_dimension_vintages). source_version is cbs.tables.source_version ('modified:<ISO>' live,
-- 'snapshot-sha256:<hash>' snapshot); a take CBS gave no Modified for is
-- 'unversioned:<taken_at>'. The rows already in the warehouse become each table's first
-- vintage, taken at its cbs.tables.fetched_at.
CREATE TABLE cbs.table_versions (
    table_id TEXT NOT NULL,
    source_version TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('live', 'snapshot')),
    title TEXT NOT NULL,
    modified TIMESTAMP,
    taken_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL CHECK (row_count >= 0),
    PRIMARY KEY (table_id, taken_at)
);

CREATE TABLE cbs.observation_vintages (
    table_id TEXT NOT NULL,
    source_version TEXT NOT NULL,
    period_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    provisional BOOLEAN NOT NULL,
    population_group_key TEXT NOT NULL,
    population_group_title TEXT NOT NULL,
    measure_key TEXT NOT NULL,
    measure_title TEXT NOT NULL,
    unit TEXT,
    value DOUBLE PRECISION,
    PRIMARY KEY (table_id, source_version, period_code, population_group_key, measure_key)
);

CREATE TABLE cbs.measure_vintages (
    table_id TEXT NOT NULL,
    source_version TEXT NOT NULL,
    measure_key TEXT NOT NULL,
    measure_title TEXT NOT NULL,
    indicator TEXT NOT NULL,
    unit TEXT,
    decimals INTEGER CHECK (decimals >= 0),
    PRIMARY KEY (table_id, source_version, measure_key)
);

CREATE TABLE cbs.held_dimension_vintages (
    table_id TEXT NOT NULL,
    source_version TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    dimension_title TEXT NOT NULL,
    category_key TEXT NOT NULL,
    category_title TEXT NOT NULL,
    chosen_by TEXT NOT NULL CHECK (chosen_by IN ('catalogue', 'total_rule')),
    PRIMARY KEY (table_id, source_version, dimension_key)
);

INSERT INTO cbs.table_versions (
    table_id, source_version, source, title, modified, taken_at, row_count
)
SELECT
    t.table_id,
    COALESCE(t.source_version, 'unversioned:' || CAST(t.fetched_at AS TEXT)),
    t.source,
    t.title,
    t.modified,
    t.fetched_at,
    CAST((SELECT count(*) FROM cbs.observations AS o WHERE o.table_id = t.table_id) AS INTEGER)
FROM cbs.tables AS t;

INSERT INTO cbs.observation_vintages (
    table_id, source_version, period_code, year, provisional, population_group_key,
    population_group_title, measure_key, measure_title, unit, value
)
SELECT
    o.table_id, v.source_version, o.period_code, o.year, o.provisional, o.population_group_key,
    o.population_group_title, o.measure_key, o.measure_title, o.unit, o.value
FROM cbs.observations AS o
JOIN cbs.table_versions AS v ON v.table_id = o.table_id;

INSERT INTO cbs.measure_vintages (
    table_id, source_version, measure_key, measure_title, indicator, unit, decimals
)
SELECT m.table_id, v.source_version, m.measure_key, m.measure_title, m.indicator, m.unit, m.decimals
FROM cbs.measures AS m
JOIN cbs.table_versions AS v ON v.table_id = m.table_id;

INSERT INTO cbs.held_dimension_vintages (
    table_id, source_version, dimension_key, dimension_title, category_key, category_title,
    chosen_by
)
SELECT
    h.table_id, v.source_version, h.dimension_key, h.dimension_title, h.category_key,
    h.category_title, h.chosen_by
FROM cbs.held_dimensions AS h
JOIN cbs.table_versions AS v ON v.table_id = h.table_id;
