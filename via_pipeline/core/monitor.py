"""Monitoring metrics: gaps between population groups and the structural catch-up verdict.

The arithmetic runs in the warehouse (sql/build_monitor_gaps.sql, sql/build_monitor_trends.sql)
so it is the same on DuckDB and PostgreSQL and stays in the database as data grows. This module
holds what SQL should not: the configuration (config/monitor.yaml), the Dutch reason sentence
(it needs via_pipeline.core.dutch's number formatting), and the findings of the gap checks.
docs/methodology.md defines every metric in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from via_pipeline.core.cbs.catalogue import GROUPS_FILE, PopulationGroups, load_population_groups
from via_pipeline.core.config import ConfigFileError, load_yaml
from via_pipeline.core.dutch import format_decimal, format_pp
from via_pipeline.core.expectations import ExpectationOutcome, SuiteResult
from via_pipeline.core.gap_checks import GAP_CHECKS as GAP_CHECKS
from via_pipeline.core.gap_checks import GapCheck
from via_pipeline.core.paths import CONFIG_DIR
from via_pipeline.core.warehouse import WarehouseStore, load_sql

CONFIG_FILE = "monitor.yaml"
GAPS_TABLE = "monitor.gaps"
TRENDS_TABLE = "monitor.trends"
# Gaps are differences of one-decimal CBS figures: anything below this is float noise.
TOLERANCE = 1e-9
EXAMPLES_KEPT = 10

GAP_COLUMNS = [
    "source_table",
    "year",
    "indicator",
    "population_group",
    "reference_group",
    "value",
    "reference_value",
    "gap_pp",
    "gap_change_prev_year_pp",
    "baseline_year",
    "gap_change_vs_baseline_pp",
    "provisional",
]
# Declared so the preview's column schema is right even when its few rows hold only NULLs.
GAP_DTYPES = {
    "source_table": "object",
    "year": "Int64",
    "indicator": "object",
    "population_group": "object",
    "reference_group": "object",
    "value": "float64",
    "reference_value": "float64",
    "gap_pp": "float64",
    "gap_change_prev_year_pp": "float64",
    "baseline_year": "Int64",
    "gap_change_vs_baseline_pp": "float64",
    "provisional": "boolean",
}
TREND_COLUMNS = [
    "source_table",
    "indicator",
    "population_group",
    "reference_group",
    "first_year",
    "last_year",
    "gap_first_pp",
    "gap_last_pp",
    "years_narrowing",
    "structural_catch_up",
    "reason_nl",
    "provisional",
]


class MonitorError(RuntimeError):
    """The metrics could not be built consistently; the message names the series."""


@dataclass(frozen=True)
class CatchUpRule:
    """Structural catch-up: the absolute gap narrowed in each of the last `narrowing_years`
    years present, and |last gap| <= max_gap_ratio x |baseline gap|."""

    narrowing_years: int = 3
    max_gap_ratio: float = 0.75
    tolerance: float = TOLERANCE


@dataclass(frozen=True)
class MonitorConfig:
    baseline_year: int = 2008
    reference_groups: tuple[str, ...] = ("total", "dutch_background", "netherlands_origin")
    catch_up: CatchUpRule = field(default_factory=CatchUpRule)
    # The reason sentence's words, from population_groups.yaml: an indicator's subject_nl
    # ("het werkloosheidspercentage"), a group's sentence_nl ("burgers met een ...").
    indicator_subjects: Mapping[str, str] = field(default_factory=dict)
    group_sentences: Mapping[str, str] = field(default_factory=dict)

    def indicator_subject(self, indicator: str) -> str:
        return self.indicator_subjects.get(indicator, indicator)

    def group_sentence(self, group: str) -> str:
        return self.group_sentences.get(group, group)


def _require_int(raw: Mapping[str, Any], key: str, where: str, minimum: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigFileError(
            f"{where}: `{key}` must be a whole number >= {minimum}, got {value!r}"
        )
    return value


def parse_monitor_config(
    raw: Any, source: str = CONFIG_FILE, wording: PopulationGroups | None = None
) -> MonitorConfig:
    """Validate the parsed monitor.yaml; every problem names the file and the key.

    `wording`: population_groups.yaml (None: the shipped one), the Dutch words of the reason
    sentence.
    """
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{source}: expected a mapping at the top level")
    if "labels_nl" in raw:
        raise ConfigFileError(
            f"{source}: `labels_nl` is no longer read here; the wording lives in {GROUPS_FILE} "
            "(a group's sentence_nl, an indicator's subject_nl)"
        )
    baseline_year = _require_int(raw, "baseline_year", source, 1900)
    references = raw.get("reference_groups")
    if (
        not isinstance(references, list)
        or not references
        or not all(isinstance(group, str) and group for group in references)
    ):
        raise ConfigFileError(
            f"{source}: `reference_groups` must be a non-empty list of group codes"
        )
    catch_up = raw.get("catch_up")
    if not isinstance(catch_up, dict):
        raise ConfigFileError(f"{source}: `catch_up` must be a mapping")
    narrowing_years = _require_int(catch_up, "narrowing_years", f"{source} catch_up", 1)
    ratio = catch_up.get("max_gap_ratio")
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 <= ratio <= 1:
        raise ConfigFileError(
            f"{source} catch_up: `max_gap_ratio` must be a number from 0 to 1, got {ratio!r}"
        )
    if wording is None:
        wording = load_population_groups()
    return MonitorConfig(
        baseline_year=baseline_year,
        reference_groups=tuple(references),
        catch_up=CatchUpRule(narrowing_years=narrowing_years, max_gap_ratio=float(ratio)),
        indicator_subjects={i.code: i.subject_nl for i in wording.indicators},
        group_sentences={g.code: g.sentence_nl for g in wording.population_groups},
    )


def load_monitor_config(config_dir: Path = CONFIG_DIR) -> MonitorConfig:
    return parse_monitor_config(
        load_yaml(CONFIG_FILE, config_dir),
        str(config_dir / CONFIG_FILE),
        load_population_groups(config_dir),
    )


# -- the catch-up verdict in words -----------------------------------------------------------


@dataclass(frozen=True)
class TrendFigures:
    """What the trend SQL computed for one series; the input of the reason sentence."""

    indicator: str
    population_group: str
    reference_group: str
    first_year: int
    last_year: int
    # None: the series has no gap in its table's baseline year (an empty CBS cell).
    gap_first_pp: float | None
    gap_last_pp: float
    years_narrowing: int
    years_compared: int
    # Only needed to explain a missing baseline gap.
    first_year_with_gap: int | None = None
    group_has_baseline_figure: bool = True
    reference_has_baseline_figure: bool = True

    @property
    def verdict_possible(self) -> bool:
        """A verdict measures from the baseline gap; without it none can be given."""
        return self.gap_first_pp is not None


@dataclass(frozen=True)
class CatchUpConditions:
    narrowing_met: bool
    ratio_met: bool

    @property
    def structural(self) -> bool:
        return self.narrowing_met and self.ratio_met


def catch_up_conditions(figures: TrendFigures, rule: CatchUpRule) -> CatchUpConditions:
    """The two conditions of the rule, read from the figures (the SQL verdict must agree).

    Only for a series with a baseline gap (`figures.verdict_possible`).
    """
    if figures.gap_first_pp is None:
        raise ValueError(
            f"{figures.indicator} {figures.population_group} vs {figures.reference_group}: "
            f"no gap in {figures.first_year}, so no catch-up conditions to read"
        )
    narrowing_met = (
        figures.years_compared == rule.narrowing_years
        and figures.years_narrowing == rule.narrowing_years
    )
    ratio_met = abs(figures.gap_last_pp) <= rule.max_gap_ratio * abs(figures.gap_first_pp) + (
        rule.tolerance
    )
    return CatchUpConditions(narrowing_met=narrowing_met, ratio_met=ratio_met)


def _position(gap: float, tolerance: float, *, compared: bool) -> str:
    """A signed gap in words: "3,2 procentpunten hoger (dan)", "even hoog (als)"."""
    if abs(gap) <= tolerance:
        return "even hoog als" if compared else "even hoog"
    words = f"{format_pp(gap)} {'hoger' if gap > 0 else 'lager'}"
    return f"{words} dan" if compared else words


def _percent(share: float, decimals: int = 0) -> str:
    return f"{format_decimal(share * 100, decimals)} procent"


def _years(count: int) -> str:
    return f"{count} jaar" if count == 1 else f"{count} jaren"


def reason_nl(figures: TrendFigures, rule: CatchUpRule, config: MonitorConfig) -> str:
    """Dutch sentences: the verdict, what the gap did, and each condition of the rule, met or not.

    Example: "Geen structurele inhaalslag. Het werkloosheidspercentage lag bij burgers met een
    buiten-Europese migratieachtergrond in 2008 3,2 procentpunten hoger dan bij het gemiddelde
    van de bevolking en in 2022
    2,9 procentpunten hoger. Voorwaarde 1, ...: niet voldaan, ..."

    A series without a gap in its table's baseline year gets no verdict: "Geen oordeel over een
    structurele inhaalslag mogelijk." and which figure CBS did not publish.
    """
    if figures.gap_first_pp is None:
        return _reason_without_verdict(figures, config)
    conditions = catch_up_conditions(figures, rule)
    verdict = "Structurele inhaalslag." if conditions.structural else "Geen structurele inhaalslag."
    indicator = config.indicator_subject(figures.indicator)
    indicator = indicator[:1].upper() + indicator[1:]
    group = config.group_sentence(figures.population_group)
    reference = config.group_sentence(figures.reference_group)
    tolerance = rule.tolerance
    first = f"{_position(figures.gap_first_pp, tolerance, compared=True)} bij {reference}"
    verdict += _fallback_baseline(figures, config)
    if figures.first_year == figures.last_year:
        return (
            f"{verdict} {indicator} lag bij {group} in {figures.first_year} {first}. "
            "Er is maar één jaar met cijfers; een inhaalslag is nog niet te beoordelen."
        )
    movement = (
        f"{indicator} lag bij {group} in {figures.first_year} {first} en in {figures.last_year} "
        f"{_position(figures.gap_last_pp, tolerance, compared=False)}."
    )
    n = rule.narrowing_years
    if figures.years_compared < n:
        narrowing_fact = (
            f"na {figures.first_year} zijn er pas voor {_years(figures.years_compared)} cijfers"
        )
    else:
        narrowing_fact = (
            f"het verschil werd in {figures.years_narrowing} van de laatste {_years(n)} kleiner"
        )
    narrowing = (
        f"Voorwaarde 1, het verschil werd in elk van de laatste {_years(n)} kleiner: "
        f"{'voldaan' if conditions.narrowing_met else 'niet voldaan'}, {narrowing_fact}."
    )
    limit = _percent(rule.max_gap_ratio)
    if abs(figures.gap_first_pp) <= tolerance:
        ratio_fact = f"in {figures.first_year} was er geen verschil"
    else:
        share = abs(figures.gap_last_pp) / abs(figures.gap_first_pp)
        # More decimals only where rounding would make a share above the limit read as within it.
        decimals = 0
        while (
            decimals < 3
            and not conditions.ratio_met
            and round(share * 100, decimals) <= rule.max_gap_ratio * 100
        ):
            decimals += 1
        ratio_fact = f"het is {_percent(share, decimals)}"
    ratio = (
        f"Voorwaarde 2, het laatste verschil is hooguit {limit} van dat in {figures.first_year}: "
        f"{'voldaan' if conditions.ratio_met else 'niet voldaan'}, {ratio_fact}."
    )
    return f"{verdict} {movement} {narrowing} {ratio}"


def _fallback_baseline(figures: TrendFigures, config: MonitorConfig) -> str:
    """The sentence naming a baseline other than the configured year, or nothing."""
    if figures.first_year == config.baseline_year:
        return ""
    # A table that does not reach the configured year measures from another one; the reader
    # must see it.
    return (
        f" Het basisjaar is {figures.first_year}: de tabel heeft geen cijfers voor "
        f"{config.baseline_year}."
    )


def _reason_without_verdict(figures: TrendFigures, config: MonitorConfig) -> str:
    """Why a series with an empty cell in its table's baseline year gets no verdict.

    Measuring this one series from a later year would compare it with another starting point
    than the rest of its table (for 82809NED: from the 2012 crisis instead of the 2008 peak).
    """
    indicator = config.indicator_subject(figures.indicator)
    missing = [
        config.group_sentence(group)
        for group, present in (
            (figures.population_group, figures.group_has_baseline_figure),
            (figures.reference_group, figures.reference_has_baseline_figure),
        )
        if not present
    ]
    if missing:
        cause = (
            f"CBS heeft in deze tabel voor het basisjaar {figures.first_year} geen cijfer "
            f"gepubliceerd van {indicator} bij {' en bij '.join(missing)}, dus het verschil in "
            "dat jaar is onbekend."
        )
    else:
        cause = f"Voor het basisjaar {figures.first_year} is er geen verschil te berekenen."
    since = figures.first_year_with_gap or figures.last_year
    return (
        "Geen oordeel over een structurele inhaalslag mogelijk."
        f"{_fallback_baseline(figures, config)} {cause} Het verschil is pas bekend vanaf "
        f"{since}; een oordeel vanaf een later jaar dan het basisjaar zou een ander "
        "vertrekpunt hebben en wordt niet gegeven."
    )


# -- building the tables ----------------------------------------------------------------------


def _gaps_statement(prefix: str = "") -> sa.TextClause:
    return sa.text(prefix + load_sql("build_monitor_gaps")).bindparams(
        sa.bindparam("reference_groups", expanding=True)
    )


def _gaps_parameters(config: MonitorConfig) -> dict[str, Any]:
    return {
        "reference_groups": list(config.reference_groups),
        "baseline_year": config.baseline_year,
    }


def select_gaps(conn: Connection, config: MonitorConfig) -> pd.DataFrame:
    """Run sql/build_monitor_gaps.sql on monitor.indicators; rows in monitor.gaps' columns."""
    result = conn.execute(_gaps_statement(), _gaps_parameters(config))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))[GAP_COLUMNS]


def select_trends(conn: Connection, config: MonitorConfig) -> pd.DataFrame:
    """Run sql/build_monitor_trends.sql on monitor.gaps and add the Dutch reason sentence."""
    rule = config.catch_up
    frame = WarehouseStore.read_in(
        conn,
        load_sql("build_monitor_trends"),
        {
            "narrowing_years": rule.narrowing_years,
            "max_gap_ratio": rule.max_gap_ratio,
            "tolerance": rule.tolerance,
        },
    )
    reasons = []
    verdicts: list[bool | None] = []
    for row in frame.itertuples(index=False):
        figures = TrendFigures(
            indicator=row.indicator,
            population_group=row.population_group,
            reference_group=row.reference_group,
            first_year=int(row.first_year),
            last_year=int(row.last_year),
            gap_first_pp=None if pd.isna(row.gap_first_pp) else float(row.gap_first_pp),
            gap_last_pp=float(row.gap_last_pp),
            years_narrowing=int(row.years_narrowing),
            years_compared=int(row.years_compared),
            first_year_with_gap=int(row.first_year_with_gap),
            group_has_baseline_figure=bool(row.group_has_baseline_figure),
            reference_has_baseline_figure=bool(row.reference_has_baseline_figure),
        )
        sql_verdict = None if pd.isna(row.structural_catch_up) else bool(row.structural_catch_up)
        expected = (
            catch_up_conditions(figures, rule).structural if figures.verdict_possible else None
        )
        # The sentence explains the SQL's verdict; if the two readings of the rule ever
        # disagree, the letter would contradict itself, so stop.
        if expected != sql_verdict:
            raise MonitorError(
                f"catch-up verdict for {row.source_table} {row.indicator} {row.population_group} "
                f"vs {row.reference_group}: SQL and the reason sentence disagree"
            )
        verdicts.append(sql_verdict)
        reasons.append(reason_nl(figures, rule, config))
    # NULL is "no verdict": neither true nor false, so a filter on either value leaves it out.
    frame["structural_catch_up"] = pd.Series(verdicts, index=frame.index, dtype=object)
    frame["reason_nl"] = pd.Series(reasons, index=frame.index, dtype=object)
    return frame[TREND_COLUMNS]


@dataclass(frozen=True)
class GapsBuild:
    """What a build of monitor.gaps wrote: counts and the first rows, for the asset's metadata."""

    row_count: int
    provisional_rows: int
    source_tables: int
    preview: pd.DataFrame


def _gaps_would_change(conn: Connection, config: MonitorConfig) -> bool:
    """Whether building monitor.gaps now gives other rows than it holds (compared in SQL).

    Rows are unique (primary key), so no new row plus equal counts means the same rows.
    """
    # Only constants and the text of sql/build_monitor_gaps.sql go into the SQL; values are bound.
    build = load_sql("build_monitor_gaps").strip().rstrip(";")
    stored = f"SELECT {', '.join(GAP_COLUMNS)} FROM {GAPS_TABLE}"  # noqa: S608
    statement = sa.text(
        f"SELECT (SELECT count(*) FROM (({build}\n) EXCEPT {stored}) AS added) AS added, "  # noqa: S608
        f"(SELECT count(*) FROM ({build}\n) AS built) AS built, "
        f"(SELECT count(*) FROM {GAPS_TABLE}) AS stored"
    ).bindparams(sa.bindparam("reference_groups", expanding=True))
    counts = conn.execute(statement, _gaps_parameters(config)).one()
    return bool(counts.added or counts.built != counts.stored)


def write_gaps(store: WarehouseStore, config: MonitorConfig, preview_rows: int = 10) -> GapsBuild:
    """Rebuild monitor.gaps from monitor.indicators in one transaction, inside the warehouse.

    INSERT ... SELECT rather than a round trip through pandas: the rows never leave the
    database (198,000 gap rows: about 4 s on DuckDB, against 20 s through a frame).
    """
    insert = f"INSERT INTO {GAPS_TABLE} ({', '.join(GAP_COLUMNS)})\n"
    with store.transaction() as conn:
        # A rerun with unchanged indicators leaves the table alone instead of rewriting it.
        if _gaps_would_change(conn, config):
            conn.execute(sa.text("DELETE FROM monitor.gaps"))
            conn.execute(_gaps_statement(insert), _gaps_parameters(config))
        summary = conn.execute(sa.text(load_sql("summarise_monitor_gaps"))).one()
        preview = WarehouseStore.read_in(
            conn, load_sql("select_monitor_gaps_preview"), {"row_limit": preview_rows}
        )
    return GapsBuild(
        row_count=int(summary.row_count),
        provisional_rows=int(summary.provisional_rows),
        source_tables=int(summary.source_tables),
        preview=preview[GAP_COLUMNS].astype(GAP_DTYPES),
    )


def write_trends(store: WarehouseStore, config: MonitorConfig) -> pd.DataFrame:
    """Rebuild monitor.trends from monitor.gaps in one transaction; returns the rows written."""
    with store.transaction() as conn:
        frame = select_trends(conn, config)
        store.replace(TRENDS_TABLE, frame, conn=conn)
    return frame


# -- checks on monitor.gaps -------------------------------------------------------------------


def find_gap_violations(
    store: WarehouseStore, check: GapCheck, config: MonitorConfig
) -> pd.DataFrame:
    """The rows of monitor.gaps (or missing rows) that break the check; empty when it holds."""
    statement = sa.text(load_sql(check.sql_file))
    # Each check file binds the parameters it names, out of these.
    available: dict[str, Any] = {
        "tolerance": config.catch_up.tolerance,
        "reference_groups": list(config.reference_groups),
    }
    params = {
        name: value for name, value in available.items() if name in statement.compile().params
    }
    if "reference_groups" in params:
        statement = statement.bindparams(sa.bindparam("reference_groups", expanding=True))
    with store.engine.connect() as conn:
        result = conn.execute(statement, params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def violations_suite_result(check: GapCheck, violations: pd.DataFrame) -> SuiteResult:
    """The findings as a suite result, so they are recorded like every other check's."""
    examples = tuple(
        ", ".join(f"{column}={value}" for column, value in row.items())
        for row in violations.head(EXAMPLES_KEPT).to_dict(orient="records")
    )
    outcome = ExpectationOutcome(
        expectation=check.expectation,
        column=None,
        success=violations.empty,
        unexpected_count=len(violations),
        examples=examples,
        details="; ".join(examples) if examples else "no violations",
    )
    return SuiteResult(suite_name=check.name, outcomes=(outcome,))
