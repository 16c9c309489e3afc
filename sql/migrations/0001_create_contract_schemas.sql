-- The warehouse contract of docs/data-dictionary.md: schemas, CBS, monitor, key figures, quality.
-- Portable DDL: runs unchanged on DuckDB and PostgreSQL. Timestamps are UTC without zone.
CREATE SCHEMA IF NOT EXISTS cbs;
CREATE SCHEMA IF NOT EXISTS monitor;
CREATE SCHEMA IF NOT EXISTS partners;
CREATE SCHEMA IF NOT EXISTS letter;
CREATE SCHEMA IF NOT EXISTS quality;

CREATE TABLE cbs.tables (
    table_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    modified TIMESTAMP,
    fetched_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('live', 'snapshot')),
    row_count INTEGER NOT NULL CHECK (row_count >= 0)
);

CREATE TABLE cbs.observations (
    table_id TEXT NOT NULL,
    period_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    provisional BOOLEAN NOT NULL,
    population_group_key TEXT NOT NULL,
    population_group_title TEXT NOT NULL,
    measure_key TEXT NOT NULL,
    measure_title TEXT NOT NULL,
    unit TEXT,
    value DOUBLE PRECISION,
    PRIMARY KEY (table_id, period_code, population_group_key, measure_key)
);

CREATE TABLE monitor.indicators (
    source_table TEXT NOT NULL,
    year INTEGER NOT NULL,
    population_group TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION,
    unit TEXT NOT NULL,
    provisional BOOLEAN NOT NULL,
    PRIMARY KEY (source_table, year, population_group, indicator)
);

CREATE TABLE monitor.gaps (
    source_table TEXT NOT NULL,
    year INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    population_group TEXT NOT NULL,
    reference_group TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    reference_value DOUBLE PRECISION NOT NULL,
    gap_pp DOUBLE PRECISION NOT NULL,
    gap_change_prev_year_pp DOUBLE PRECISION,
    baseline_year INTEGER,
    gap_change_vs_baseline_pp DOUBLE PRECISION,
    provisional BOOLEAN NOT NULL,
    PRIMARY KEY (source_table, year, indicator, population_group, reference_group)
);

CREATE TABLE monitor.trends (
    source_table TEXT NOT NULL,
    indicator TEXT NOT NULL,
    population_group TEXT NOT NULL,
    reference_group TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    gap_first_pp DOUBLE PRECISION NOT NULL,
    gap_last_pp DOUBLE PRECISION NOT NULL,
    years_narrowing INTEGER NOT NULL,
    structural_catch_up BOOLEAN NOT NULL,
    reason_nl TEXT NOT NULL,
    provisional BOOLEAN NOT NULL,
    PRIMARY KEY (source_table, indicator, population_group, reference_group)
);

CREATE TABLE letter.key_figures (
    reporting_year INTEGER NOT NULL,
    figure_key TEXT NOT NULL,
    indicator TEXT NOT NULL,
    population_group TEXT NOT NULL,
    reference_group TEXT,
    year INTEGER NOT NULL,
    value DOUBLE PRECISION,
    text_nl TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (reporting_year, figure_key, year)
);

CREATE TABLE quality.validation_results (
    run_id TEXT NOT NULL,
    asset_key TEXT NOT NULL,
    partition TEXT,
    check_name TEXT NOT NULL,
    expectation TEXT NOT NULL,
    success BOOLEAN NOT NULL,
    unexpected_count INTEGER,
    details TEXT,
    evaluated_at TIMESTAMP NOT NULL
);
