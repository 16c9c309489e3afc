"""The CBS table catalogue (config/cbs_tables.yaml), read into typed records: per table its
measures, the categories held fixed, the population groups and the cell groups.

Every problem names the file, the table and the entry, so a wrong edit to the YAML fails on
load with a sentence instead of a KeyError deep inside the ingest. The group and indicator
codes it uses are declared in population_groups.yaml (population_groups.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.cbs.config_entries import optional_text, require_field
from via_pipeline.core.cbs.population_groups import (
    GROUPS_FILE,
    Indicator,
    PopulationGroup,
    load_population_groups,
)
from via_pipeline.core.cbs.titles import normalise_title
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

CATALOGUE_FILE = "cbs_tables.yaml"
TABLE_ID = re.compile(r"^[0-9A-Za-z]+$")


@dataclass(frozen=True)
class MeasureConfig:
    title: str
    indicator: str
    cbs_unit: str | None


@dataclass(frozen=True)
class FixedCategory:
    """The one category kept of a dimension that is not the population group (a total)."""

    dimension: str
    key: str | None
    title: str | None
    optional: bool

    def describe(self) -> str:
        parts = [
            f"key {self.key!r}" if self.key else "",
            f"title {self.title!r}" if self.title else "",
        ]
        return " or ".join(part for part in parts if part)


@dataclass(frozen=True)
class GroupCategory:
    title: str
    key: str | None
    group: str


@dataclass(frozen=True)
class CellCategory:
    """One coordinate of a cell group: a dimension (key or title) and its category."""

    dimension: str
    title: str
    key: str | None


@dataclass(frozen=True)
class CellGroup:
    """A population group that is one cell across several dimensions (for example Herkomstland
    "Buiten Europa" x Geboorteland (ouders) "Geboren in Nederland"); every dimension it does
    not name stays at the category the table's other groups are held at (its total)."""

    group: str
    categories: tuple[CellCategory, ...]

    @property
    def composite_title(self) -> str:
        """How the cell is titled in cbs.observations.population_group_title."""
        return CELL_SEPARATOR.join(c.title for c in self.categories)


# Joins a cell's categories in cbs.observations (population_group_key and _title), in the
# order cbs_tables.yaml names them: "H008859|A051735", "Buiten Europa | Geboren in Nederland".
CELL_SEPARATOR = " | "
CELL_KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class TableConfig:
    table_id: str
    title: str
    classification: str
    # Optional expectations, not bounds: the years come from the table version read; a year
    # outside these is taken with a warning.
    first_year: int | None
    last_year: int | None
    measures: tuple[MeasureConfig, ...]
    fixed: tuple[FixedCategory, ...]
    group_dimension: str
    groups: tuple[GroupCategory, ...]
    cells: tuple[CellGroup, ...] = ()
    # `quarters: true`: the table's KW periods are taken too (core/cbs/quarters.py).
    quarters: bool = False


@dataclass(frozen=True)
class Catalogue:
    tables: tuple[TableConfig, ...]
    population_groups: tuple[PopulationGroup, ...]
    indicators: tuple[Indicator, ...]

    def table(self, table_id: str) -> TableConfig:
        for table in self.tables:
            if table.table_id == table_id:
                return table
        known = ", ".join(t.table_id for t in self.tables)
        raise ConfigFileError(f"{CATALOGUE_FILE}: no table {table_id!r} (configured: {known})")

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise ConfigFileError(f"{GROUPS_FILE}: no indicator {code!r}")


def _optional_year(entry: dict[str, Any], field: str, where: str) -> int | None:
    value = entry.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigFileError(f"{where}: `{field}` must be a year, got {value!r}")
    return value


def _parse_table(
    entry: Any, number: int, path: Path, group_codes: set[str], indicator_codes: set[str]
) -> TableConfig:
    where = f"{path}: table entry {number}"
    table_id = str(require_field(entry, "table_id", where))
    if not TABLE_ID.match(table_id):
        raise ConfigFileError(f"{where}: table_id {table_id!r} is not a StatLine table id")
    where = f"{path}: table {table_id}"
    measures = []
    for m_number, measure in enumerate(require_field(entry, "measures", where), start=1):
        m_where = f"{where}, measure {m_number}"
        indicator = str(require_field(measure, "indicator", m_where))
        if indicator not in indicator_codes:
            raise ConfigFileError(
                f"{m_where}: indicator {indicator!r} is not declared in {GROUPS_FILE}"
            )
        measures.append(
            MeasureConfig(
                str(require_field(measure, "title", m_where)),
                indicator,
                optional_text(measure, "cbs_unit"),
            )
        )
    indicators = [m.indicator for m in measures]
    if len(set(indicators)) != len(indicators):
        raise ConfigFileError(f"{where}: two measures map to the same indicator")
    fixed = []
    for f_number, item in enumerate(entry.get("fixed") or [], start=1):
        f_where = f"{where}, fixed entry {f_number}"
        key, title = optional_text(item, "key"), optional_text(item, "title")
        if key is None and title is None:
            raise ConfigFileError(f"{f_where}: give the total's `key` or `title` (or both)")
        fixed.append(
            FixedCategory(
                str(require_field(item, "dimension", f_where)),
                key,
                title,
                bool(item.get("optional", False)),
            )
        )
    group_entry = require_field(entry, "population_groups", where)
    group_dimension = str(require_field(group_entry, "dimension", f"{where}, population_groups"))
    groups = []
    for g_number, item in enumerate(
        require_field(group_entry, "categories", f"{where}, population_groups"), start=1
    ):
        g_where = f"{where}, population group {g_number}"
        code = str(require_field(item, "group", g_where))
        if code not in group_codes:
            raise ConfigFileError(f"{g_where}: group {code!r} is not declared in {GROUPS_FILE}")
        groups.append(
            GroupCategory(
                str(require_field(item, "title", g_where)), optional_text(item, "key"), code
            )
        )
    cells = tuple(
        _parse_cell(item, c_number, where, group_codes)
        for c_number, item in enumerate(entry.get("cells") or [], start=1)
    )
    codes = [g.group for g in groups] + [c.group for c in cells]
    if len(set(codes)) != len(codes):
        raise ConfigFileError(f"{where}: two categories or cells map to the same population group")
    first_year = _optional_year(entry, "first_year", where)
    last_year = _optional_year(entry, "last_year", where)
    return TableConfig(
        table_id=table_id,
        title=str(entry.get("title") or table_id),
        classification=str(require_field(entry, "classification", where)),
        first_year=first_year,
        last_year=last_year,
        measures=tuple(measures),
        fixed=tuple(fixed),
        group_dimension=group_dimension,
        groups=tuple(groups),
        cells=cells,
        quarters=_optional_flag(entry, "quarters", where),
    )


def _optional_flag(entry: Any, field: str, where: str) -> bool:
    value = entry.get(field)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigFileError(f"{where}: `{field}` must be true or false, got {value!r}")
    return value


def _parse_cell(item: Any, number: int, where: str, group_codes: set[str]) -> CellGroup:
    c_where = f"{where}, cell {number}"
    code = str(require_field(item, "group", c_where))
    if code not in group_codes:
        raise ConfigFileError(f"{c_where}: group {code!r} is not declared in {GROUPS_FILE}")
    c_where = f"{where}, cell {code}"
    raw_categories = require_field(item, "categories", c_where)
    if not isinstance(raw_categories, list) or len(raw_categories) < 2:
        raise ConfigFileError(
            f"{c_where}: `categories` lists the cell's category in two or more dimensions "
            "(a group of one dimension is a population_groups category)"
        )
    categories = tuple(
        CellCategory(
            str(require_field(category, "dimension", c_where)),
            str(require_field(category, "title", c_where)),
            optional_text(category, "key"),
        )
        for category in raw_categories
    )
    dimensions = [normalise_title(c.dimension) for c in categories]
    if len(set(dimensions)) != len(dimensions):
        raise ConfigFileError(f"{c_where}: a dimension is named twice")
    return CellGroup(code, categories)


def load_catalogue(config_dir: Path = CONFIG_DIR) -> Catalogue:
    """Read cbs_tables.yaml and population_groups.yaml, checking every code they share."""
    declared = load_population_groups(config_dir)
    groups, indicators = declared.population_groups, declared.indicators
    path = config_dir / CATALOGUE_FILE
    raw = load_yaml(CATALOGUE_FILE, config_dir)
    if not isinstance(raw, dict) or not isinstance(raw.get("tables"), list) or not raw["tables"]:
        raise ConfigFileError(f"{path}: expected a non-empty `tables:` list")
    group_codes = {g.code for g in groups}
    indicator_codes = {i.code for i in indicators}
    tables = tuple(
        _parse_table(entry, number, path, group_codes, indicator_codes)
        for number, entry in enumerate(raw["tables"], start=1)
    )
    ids = [t.table_id for t in tables]
    duplicates = sorted({t for t in ids if ids.count(t) > 1})
    if duplicates:
        raise ConfigFileError(f"{path}: table(s) listed twice: {', '.join(duplicates)}")
    return Catalogue(tables, groups, indicators)
