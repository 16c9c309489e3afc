-- monitor.trends: one row per series (source table, indicator, group, reference group) with a
-- gap in or after its table's baseline year, read from monitor.gaps from that year on, with the
-- catch-up verdict.
-- Bound parameters: :narrowing_years (N), :max_gap_ratio, :tolerance.
-- Columns not stored, used by the asset for the Dutch reason sentence and then dropped:
-- years_compared (how many of the last N years have an earlier year in the series to compare
-- with), first_year_with_gap, and whether the group's and the reference group's own figures
-- exist in the baseline year (when either is empty there is no baseline gap).
-- "Narrowing" is the absolute gap getting smaller than in the previous year present, by more
-- than :tolerance (float noise), whichever side of the reference the group is on.
-- A series without a gap in the baseline year gets gap_first_pp NULL and structural_catch_up
-- NULL: no verdict, rather than one measured from a later (possibly crisis) year.
WITH from_baseline AS (
    SELECT
        source_table,
        indicator,
        population_group,
        reference_group,
        breakdown,
        year,
        gap_pp,
        baseline_year,
        provisional,
        LAG(gap_pp) OVER (
            PARTITION BY source_table, indicator, population_group, reference_group ORDER BY year
        ) AS previous_gap_pp,
        ROW_NUMBER() OVER (
            PARTITION BY source_table, indicator, population_group, reference_group
            ORDER BY year DESC
        ) AS rank_from_last
    FROM monitor.gaps
    WHERE year >= baseline_year
),
series AS (
    SELECT
        source_table,
        indicator,
        population_group,
        reference_group,
        breakdown,
        -- The table's baseline year: the same on every gap row of the table.
        MIN(baseline_year) AS first_year,
        MIN(year) AS first_year_with_gap,
        MAX(year) AS last_year,
        MAX(CASE WHEN year = baseline_year THEN gap_pp END) AS gap_first_pp,
        MAX(CASE WHEN rank_from_last = 1 THEN gap_pp END) AS gap_last_pp,
        CAST(SUM(
            CASE
                WHEN rank_from_last <= :narrowing_years AND previous_gap_pp IS NOT NULL THEN 1
                ELSE 0
            END
        ) AS INTEGER) AS years_compared,
        CAST(SUM(
            CASE
                WHEN rank_from_last <= :narrowing_years
                    AND previous_gap_pp IS NOT NULL
                    AND ABS(gap_pp) < ABS(previous_gap_pp) - :tolerance
                THEN 1
                ELSE 0
            END
        ) AS INTEGER) AS years_narrowing,
        -- A gap row is already provisional when its previous year or baseline is; the
        -- trend uses the baseline row and the last N rows.
        BOOL_OR(
            CASE
                WHEN year = baseline_year OR rank_from_last <= :narrowing_years THEN provisional
                ELSE FALSE
            END
        ) AS provisional
    FROM from_baseline
    GROUP BY source_table, indicator, population_group, reference_group, breakdown
)
SELECT
    series.source_table,
    series.indicator,
    series.population_group,
    series.reference_group,
    series.first_year,
    series.last_year,
    series.gap_first_pp,
    series.gap_last_pp,
    series.years_narrowing,
    CASE
        WHEN series.gap_first_pp IS NOT NULL THEN (
            series.years_compared = :narrowing_years
            AND series.years_narrowing = :narrowing_years
            AND ABS(series.gap_last_pp) <= :max_gap_ratio * ABS(series.gap_first_pp) + :tolerance
        )
    END AS structural_catch_up,
    series.provisional,
    series.breakdown,
    series.years_compared,
    series.first_year_with_gap,
    (group_baseline.value IS NOT NULL) AS group_has_baseline_figure,
    (reference_baseline.value IS NOT NULL) AS reference_has_baseline_figure
FROM series
LEFT JOIN monitor.indicators AS group_baseline
    ON group_baseline.source_table = series.source_table
    AND group_baseline.year = series.first_year
    AND group_baseline.indicator = series.indicator
    AND group_baseline.population_group = series.population_group
LEFT JOIN monitor.indicators AS reference_baseline
    ON reference_baseline.source_table = series.source_table
    AND reference_baseline.year = series.first_year
    AND reference_baseline.indicator = series.indicator
    AND reference_baseline.population_group = series.reference_group
ORDER BY series.source_table, series.indicator, series.population_group, series.reference_group
