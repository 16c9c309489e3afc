"""The key-figure statements of config/key_figures.yaml, their Dutch wording, and the themes.

The wording of groups and indicators (sentence and label) is read from population_groups.yaml
through the CBS catalogue's loader, the one place of that wording; key_figures.yaml holds the
statements and each indicator's disadvantage sign.

Loaded into frozen records and checked once, so a typo in the YAML is reported with the file
and the entry, not as a KeyError half-way through building the annex.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.cbs.population_groups import (
    BREAKDOWNS,
    GROUPS_FILE,
    PopulationGroups,
    load_population_groups,
)
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

KEY_FIGURES_FILE = "key_figures.yaml"
THEMES_FILE = "themes.yaml"
FIGURE_KINDS = ("level", "change")
LATEST = "latest"
FIGURE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FigureSpec:
    """One statement of the letter: a gap in two years of one CBS table."""

    figure_key: str
    title: str  # the statement's name for readers, in the annex tables
    kind: str
    indicator: str
    population_group: str
    reference_group: str
    source_table: str
    baseline_year: int
    latest_year: int | None  # None: the last year the source table has, up to the reporting year


@dataclass(frozen=True)
class IndicatorWording:
    sentence: str
    label: str
    disadvantage_sign: int


@dataclass(frozen=True)
class GroupWording:
    sentence: str
    label: str


@dataclass(frozen=True)
class ChartConfig:
    reference_group: str
    indicators: tuple[str, ...]
    # Breakdown code -> the Dutch name of its chart, workbook sheet and section ("generatie");
    # a breakdown not listed gets no chart or sheet.
    breakdowns: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class KeyFigureConfig:
    figures: tuple[FigureSpec, ...]
    indicators: Mapping[str, IndicatorWording]
    groups: Mapping[str, GroupWording]
    charts: ChartConfig

    def figure_title(self, figure_key: str) -> str:
        """The statement's title; a key no longer configured shows as itself."""
        for spec in self.figures:
            if spec.figure_key == figure_key:
                return spec.title
        return figure_key

    def group_sentence(self, group: str) -> str:
        return self.groups[group].sentence if group in self.groups else group

    def group_label(self, group: str) -> str:
        return self.groups[group].label if group in self.groups else group

    def indicator_label(self, indicator: str) -> str:
        return self.indicators[indicator].label if indicator in self.indicators else indicator


@dataclass(frozen=True)
class Theme:
    code: str
    title: str
    order: int


def _require(entry: Mapping[str, Any], field: str, where: str) -> Any:
    if field not in entry or entry[field] in (None, ""):
        raise ConfigFileError(f"{where}: missing {field!r}")
    return entry[field]


def _year(value: Any, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise ConfigFileError(f"{where}: {field} must be a year, got {value!r}")
    return value


def parse_key_figure_config(
    raw: Any, source: str = KEY_FIGURES_FILE, wording: PopulationGroups | None = None
) -> KeyFigureConfig:
    """Check and convert the parsed YAML; every problem names the file and the entry.

    `wording`: population_groups.yaml (None: the shipped one), where groups and indicators get
    their Dutch sentence and label.
    """
    if not isinstance(raw, Mapping):
        raise ConfigFileError(f"{source}: expected a mapping with figures, indicators, charts")
    if "groups" in raw:
        raise ConfigFileError(
            f"{source}: `groups` is no longer read here; group wording lives in {GROUPS_FILE} "
            "(label_nl, sentence_nl)"
        )
    if wording is None:
        wording = load_population_groups()
    indicators: dict[str, IndicatorWording] = {}
    for code, entry in (raw.get("indicators") or {}).items():
        where = f"{source}: indicators.{code}"
        moved = sorted({"sentence", "label"} & set(entry or {}))
        if moved:
            raise ConfigFileError(
                f"{where}: {', '.join(moved)} no longer read here; indicator wording lives in "
                f"{GROUPS_FILE} (label_nl, sentence_nl)"
            )
        sign = _require(entry, "disadvantage_sign", where)
        if sign not in (1, -1):
            raise ConfigFileError(f"{where}: disadvantage_sign must be 1 or -1, got {sign!r}")
        declared = wording.indicator(str(code))
        if declared is None:
            raise ConfigFileError(f"{where}: indicator {code!r} is not declared in {GROUPS_FILE}")
        indicators[str(code)] = IndicatorWording(
            sentence=declared.sentence_nl, label=declared.label_nl, disadvantage_sign=int(sign)
        )
    groups = {
        group.code: GroupWording(sentence=group.sentence_nl, label=group.label_nl)
        for group in wording.population_groups
    }
    figures: list[FigureSpec] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw.get("figures") or [], start=1):
        where = f"{source}: figures[{number}]"
        key = str(_require(entry, "figure_key", where))
        where = f"{source}: figure {key!r}"
        if not FIGURE_KEY.match(key):
            raise ConfigFileError(f"{where}: figure_key must be lowercase snake_case")
        if key in seen:
            raise ConfigFileError(f"{where}: figure_key used twice")
        seen.add(key)
        kind = str(entry.get("kind") or "level")
        if kind not in FIGURE_KINDS:
            raise ConfigFileError(f"{where}: kind must be one of {', '.join(FIGURE_KINDS)}")
        indicator = str(_require(entry, "indicator", where))
        if indicator not in indicators:
            raise ConfigFileError(
                f"{where}: indicator {indicator!r} has no disadvantage_sign under indicators"
            )
        group = str(_require(entry, "population_group", where))
        reference = str(_require(entry, "reference_group", where))
        for field, code in (("population_group", group), ("reference_group", reference)):
            if code not in groups:
                raise ConfigFileError(f"{where}: {field} {code!r} is not declared in {GROUPS_FILE}")
        baseline = _year(_require(entry, "baseline_year", where), where, "baseline_year")
        latest_raw = _require(entry, "latest_year", where)
        latest = None if latest_raw == LATEST else _year(latest_raw, where, "latest_year")
        if latest is not None and latest <= baseline:
            raise ConfigFileError(f"{where}: latest_year must come after baseline_year")
        figures.append(
            FigureSpec(
                figure_key=key,
                title=str(_require(entry, "title", where)).strip(),
                kind=kind,
                indicator=indicator,
                population_group=group,
                reference_group=reference,
                source_table=str(_require(entry, "source_table", where)),
                baseline_year=baseline,
                latest_year=latest,
            )
        )
    charts_raw = raw.get("charts") or {}
    breakdowns = charts_raw.get("breakdowns") or {}
    if not isinstance(breakdowns, dict) or not all(
        isinstance(name, str) and name for name in breakdowns.values()
    ):
        raise ConfigFileError(
            f"{source} charts: `breakdowns` maps a breakdown code to its Dutch name"
        )
    unknown = sorted(set(breakdowns) - set(BREAKDOWNS[1:]))
    if unknown:
        raise ConfigFileError(
            f"{source} charts: breakdown(s) {', '.join(map(str, unknown))} not one of "
            f"{', '.join(BREAKDOWNS[1:])}"
        )
    charts = ChartConfig(
        reference_group=str(charts_raw.get("reference_group") or "total"),
        indicators=tuple(
            str(code)
            for code in (
                charts_raw.get("indicators") or ["unemployment_rate", "net_participation_rate"]
            )
        ),
        breakdowns={str(code): str(name) for code, name in breakdowns.items()},
    )
    return KeyFigureConfig(tuple(figures), indicators, groups, charts)


def load_key_figure_config(config_dir: Path = CONFIG_DIR) -> KeyFigureConfig:
    return parse_key_figure_config(
        load_yaml(KEY_FIGURES_FILE, config_dir),
        str(config_dir / KEY_FIGURES_FILE),
        load_population_groups(config_dir),
    )


def load_themes(config_dir: Path = CONFIG_DIR) -> tuple[Theme, ...]:
    """The letter's themes in letter order, from config/themes.yaml (owned by the partner domain)."""
    raw = load_yaml(THEMES_FILE, config_dir)
    entries = raw.get("themes", raw) if isinstance(raw, Mapping) else raw
    if isinstance(entries, Mapping):
        entries = [{"code": code, **(value or {})} for code, value in entries.items()]
    themes: list[Theme] = []
    for number, entry in enumerate(entries or [], start=1):
        where = f"{config_dir / THEMES_FILE}: themes[{number}]"
        themes.append(
            Theme(
                code=str(_require(entry, "code", where)),
                title=str(_require(entry, "title", where)),
                order=int(entry.get("order", number)),
            )
        )
    return tuple(sorted(themes, key=lambda theme: (theme.order, theme.code)))
