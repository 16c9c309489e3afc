-- monitor.gaps: every group's gap to each of its reference groups in the same source table, per
-- year. Which group is compared with which (and the breakdown) is monitor.comparisons, written
-- from config just before: a gap never sets cells of two breakdowns against each other.
-- Bound parameter: :baseline_year.
-- Missing cells (value NULL) are dropped first, so they give no row, and the previous-year
-- change skips them: it compares with the last year present before the row's year.
-- Joining on source_table keeps every comparison within one CBS series (the 2013 break).
-- Every derived value is rounded to the precision CBS publishes the measure in
-- (cbs.measures.decimals, from DataProperties.Decimals): 6.4 - 3.5 is stored as 2.9, not as
-- 2.9000000000000004. ROUND(x * 10^d) / 10^d because DuckDB's ROUND takes no column as its
-- precision and PostgreSQL's takes none for double precision; "+ 0.0" turns -0.0 into 0.0.
-- Without a cbs.measures row (decimals NULL) the value is kept as computed.
WITH table_baseline AS (
    -- The baseline year is one per source table, read from the years the table covers (a
    -- year whose cells are all empty still counts: the table has the period): the first year
    -- on or after :baseline_year, or, for a table that ends before it, its first year. It is
    -- never moved later for one series whose own cell is empty: that series gets no change
    -- since the baseline (NULL) rather than a different starting point.
    SELECT
        source_table,
        COALESCE(MIN(CASE WHEN year >= :baseline_year THEN year END), MIN(year)) AS baseline_year
    FROM monitor.indicators
    GROUP BY source_table
),
present AS (
    SELECT
        indicators.source_table,
        indicators.year,
        indicators.population_group,
        indicators.indicator,
        indicators.value,
        indicators.provisional,
        measures.decimals
    FROM monitor.indicators AS indicators
    LEFT JOIN cbs.measures AS measures
        ON measures.table_id = indicators.source_table
        AND measures.indicator = indicators.indicator
    WHERE indicators.value IS NOT NULL
),
pairs AS (
    SELECT
        grp.source_table,
        grp.year,
        grp.indicator,
        grp.population_group,
        ref.population_group AS reference_group,
        comparisons.breakdown,
        grp.value,
        ref.value AS reference_value,
        CASE
            WHEN grp.decimals IS NULL THEN grp.value - ref.value
            ELSE ROUND((grp.value - ref.value) * POWER(10, grp.decimals))
                / POWER(10, grp.decimals) + 0.0
        END AS gap_pp,
        grp.decimals,
        (grp.provisional OR ref.provisional) AS figures_provisional,
        table_baseline.baseline_year
    FROM present AS grp
    JOIN present AS ref
        ON ref.source_table = grp.source_table
        AND ref.year = grp.year
        AND ref.indicator = grp.indicator
    JOIN monitor.comparisons AS comparisons
        ON comparisons.population_group = grp.population_group
        AND comparisons.reference_group = ref.population_group
    JOIN table_baseline
        ON table_baseline.source_table = grp.source_table
),
with_previous AS (
    SELECT
        pairs.*,
        LAG(gap_pp) OVER series_by_year AS previous_gap_pp,
        LAG(figures_provisional) OVER series_by_year AS previous_provisional,
        -- NULL when the series has no gap in its table's baseline year.
        MAX(CASE WHEN year = baseline_year THEN gap_pp END) OVER series AS baseline_gap_pp,
        BOOL_OR(CASE WHEN year = baseline_year THEN figures_provisional ELSE FALSE END)
            OVER series AS baseline_provisional
    FROM pairs
    WINDOW
        series AS (PARTITION BY source_table, indicator, population_group, reference_group),
        series_by_year AS (
            PARTITION BY source_table, indicator, population_group, reference_group ORDER BY year
        )
)
SELECT
    source_table,
    year,
    indicator,
    population_group,
    reference_group,
    value,
    reference_value,
    gap_pp,
    CASE
        WHEN decimals IS NULL THEN gap_pp - previous_gap_pp
        ELSE ROUND((gap_pp - previous_gap_pp) * POWER(10, decimals)) / POWER(10, decimals) + 0.0
    END AS gap_change_prev_year_pp,
    baseline_year,
    CASE
        WHEN decimals IS NULL THEN gap_pp - baseline_gap_pp
        ELSE ROUND((gap_pp - baseline_gap_pp) * POWER(10, decimals)) / POWER(10, decimals) + 0.0
    END AS gap_change_vs_baseline_pp,
    (
        figures_provisional
        OR COALESCE(previous_provisional, FALSE)
        OR baseline_provisional
    ) AS provisional,
    breakdown
FROM with_previous
