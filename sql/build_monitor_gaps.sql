-- monitor.gaps: every group's gap to each reference group of the same source table, per year.
-- Bound parameters: :reference_groups (expanding list), :baseline_year.
-- Missing cells (value NULL) are dropped first, so they give no row, and the previous-year
-- change skips them: it compares with the last year present before the row's year.
-- Joining on source_table keeps every comparison within one CBS series (the 2013 break).
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
    SELECT source_table, year, population_group, indicator, value, provisional
    FROM monitor.indicators
    WHERE value IS NOT NULL
),
pairs AS (
    SELECT
        grp.source_table,
        grp.year,
        grp.indicator,
        grp.population_group,
        ref.population_group AS reference_group,
        grp.value,
        ref.value AS reference_value,
        grp.value - ref.value AS gap_pp,
        (grp.provisional OR ref.provisional) AS figures_provisional,
        table_baseline.baseline_year
    FROM present AS grp
    JOIN present AS ref
        ON ref.source_table = grp.source_table
        AND ref.year = grp.year
        AND ref.indicator = grp.indicator
    JOIN table_baseline
        ON table_baseline.source_table = grp.source_table
    WHERE ref.population_group IN :reference_groups
        AND ref.population_group <> grp.population_group
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
    gap_pp - previous_gap_pp AS gap_change_prev_year_pp,
    baseline_year,
    gap_pp - baseline_gap_pp AS gap_change_vs_baseline_pp,
    (
        figures_provisional
        OR COALESCE(previous_provisional, FALSE)
        OR baseline_provisional
    ) AS provisional
FROM with_previous
