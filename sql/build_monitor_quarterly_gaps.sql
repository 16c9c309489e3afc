-- monitor.quarterly_gaps: every group's gap to each of its reference groups (monitor.comparisons,
-- as for monitor.gaps) in the same source table, per quarter; no bound parameters.
-- Empty cells (value NULL) give no row. Rounded to cbs.measures.decimals as monitor.gaps is
-- (ROUND(x * 10^d) / 10^d; "+ 0.0" turns -0.0 into 0.0). The status of a gap is the less
-- final of its two figures' (Voorlopig, then Nader voorlopig, then Definitief).
WITH present AS (
    SELECT
        q.source_table,
        q.period,
        q.year,
        q.quarter,
        q.population_group,
        q.indicator,
        q.value,
        CASE q.status WHEN 'Definitief' THEN 3 WHEN 'Nader voorlopig' THEN 2 ELSE 1 END
            AS finality,
        measures.decimals
    FROM monitor.quarterly_indicators AS q
    LEFT JOIN cbs.measures AS measures
        ON measures.table_id = q.source_table
        AND measures.indicator = q.indicator
    WHERE q.value IS NOT NULL
),
pairs AS (
    SELECT
        grp.source_table,
        grp.period,
        grp.year,
        grp.quarter,
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
        LEAST(grp.finality, ref.finality) AS finality,
        grp.decimals
    FROM present AS grp
    JOIN present AS ref
        ON ref.source_table = grp.source_table
        AND ref.period = grp.period
        AND ref.indicator = grp.indicator
    JOIN monitor.comparisons AS comparisons
        ON comparisons.population_group = grp.population_group
        AND comparisons.reference_group = ref.population_group
)
SELECT
    pairs.source_table,
    pairs.period,
    pairs.year,
    pairs.quarter,
    pairs.indicator,
    pairs.population_group,
    pairs.reference_group,
    pairs.breakdown,
    pairs.value,
    pairs.reference_value,
    pairs.gap_pp,
    CASE
        WHEN pairs.decimals IS NULL THEN pairs.gap_pp - earlier.gap_pp
        ELSE ROUND((pairs.gap_pp - earlier.gap_pp) * POWER(10, pairs.decimals))
            / POWER(10, pairs.decimals) + 0.0
    END AS gap_change_year_earlier_pp,
    CASE pairs.finality
        WHEN 3 THEN 'Definitief' WHEN 2 THEN 'Nader voorlopig' ELSE 'Voorlopig'
    END AS status,
    pairs.finality < 3 AS provisional,
    pairs.decimals
FROM pairs
LEFT JOIN pairs AS earlier
    ON earlier.source_table = pairs.source_table
    AND earlier.indicator = pairs.indicator
    AND earlier.population_group = pairs.population_group
    AND earlier.reference_group = pairs.reference_group
    AND earlier.quarter = pairs.quarter
    AND earlier.year = pairs.year - 1
