-- monitor.trends: one row per series (source table, indicator, group, reference group), read
-- from monitor.gaps from the series' baseline year on, with the catch-up verdict.
-- Bound parameters: :narrowing_years (N), :max_gap_ratio, :tolerance.
-- years_compared (not stored) is how many of the last N years have an earlier year in the
-- series to compare with; the asset uses it for the Dutch reason sentence, then drops it.
-- "Narrowing" is the absolute gap getting smaller than in the previous year present, by more
-- than :tolerance (float noise), whichever side of the reference the group is on.
WITH from_baseline AS (
    SELECT
        source_table,
        indicator,
        population_group,
        reference_group,
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
        MIN(year) AS first_year,
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
    GROUP BY source_table, indicator, population_group, reference_group
)
SELECT
    source_table,
    indicator,
    population_group,
    reference_group,
    first_year,
    last_year,
    gap_first_pp,
    gap_last_pp,
    years_narrowing,
    (
        years_compared = :narrowing_years
        AND years_narrowing = :narrowing_years
        AND ABS(gap_last_pp) <= :max_gap_ratio * ABS(gap_first_pp) + :tolerance
    ) AS structural_catch_up,
    provisional,
    years_compared
FROM series
ORDER BY source_table, indicator, population_group, reference_group
