-- Quarterly figures (issue 24): the KW periods of a table the catalogue takes quarters of
-- (cbs_tables.yaml `quarters: true`; 85456NED). Periods are read from their keys (`2023KW01`),
-- never from titles; `status` is the Perioden code list's Status ('Definitief', 'Voorlopig',
-- 'Nader voorlopig'), or the title's stars where it gives none. A year is never made from
-- quarters: cbs.observations and monitor.indicators keep only `JJ00` periods.
-- cbs.quarterly_observations is rewritten per table with cbs.observations (same transaction);
-- source_version is cbs.tables.source_version of the version the rows came from.
CREATE TABLE cbs.quarterly_observations (
    table_id TEXT NOT NULL,
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
    source_version TEXT,
    PRIMARY KEY (table_id, period_code, population_group_key, measure_key)
);

-- The quarterly cells in the monitor's codes: the same groups, breakdown cells and indicators
-- as monitor.indicators; a cell CBS left empty stays NULL.
CREATE TABLE monitor.quarterly_indicators (
    source_table TEXT NOT NULL,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    population_group TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION,
    unit TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Definitief', 'Voorlopig', 'Nader voorlopig')),
    source_version TEXT,
    PRIMARY KEY (source_table, period, population_group, indicator)
);

-- Each group's gap to its reference groups per quarter (the pairs of monitor.comparisons, as
-- monitor.gaps), rounded to cbs.measures.decimals; the change against the same quarter a year
-- earlier; status is the less final of the two figures' (Voorlopig < Nader voorlopig <
-- Definitief) and provisional means status is not Definitief.
CREATE TABLE monitor.quarterly_gaps (
    source_table TEXT NOT NULL,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    indicator TEXT NOT NULL,
    population_group TEXT NOT NULL,
    reference_group TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    reference_value DOUBLE PRECISION NOT NULL,
    gap_pp DOUBLE PRECISION NOT NULL,
    gap_change_year_earlier_pp DOUBLE PRECISION,
    status TEXT NOT NULL CHECK (status IN ('Definitief', 'Voorlopig', 'Nader voorlopig')),
    provisional BOOLEAN NOT NULL,
    decimals INTEGER,
    PRIMARY KEY (source_table, period, indicator, population_group, reference_group)
);
