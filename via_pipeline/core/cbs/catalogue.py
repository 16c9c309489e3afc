"""The CBS table catalogue (config/cbs_tables.yaml) and population groups, read into typed records.

population_groups.yaml is also the one home of the Dutch wording of every group and indicator
(table labels and the letter's prose); the letter and the monitor read it through
`load_population_groups`.

Every problem names the file, the table and the entry, so a wrong edit to the YAML fails on
load with a sentence instead of a KeyError deep inside the ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.config import ConfigFileError, load_yaml
from via_pipeline.core.paths import CONFIG_DIR

CATALOGUE_FILE = "cbs_tables.yaml"
GROUPS_FILE = "population_groups.yaml"
TABLE_ID = re.compile(r"^[0-9A-Za-z]+$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# What a group is a cell of, besides its origin: `none` for a whole origin group (the group
# dimension alone), else the dimension the cell also cuts (Geboorteland (ouders), Geslacht,
# Startkwalificatie). Gaps compare a group only with the reference groups it declares.
NO_BREAKDOWN = "none"
BREAKDOWNS = (NO_BREAKDOWN, "generation", "sex", "start_qualification")


# Everything but letters and digits: spaces, hyphens, brackets, punctuation (and "_").
NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def normalise_title(title: object) -> str:
    """The form titles are compared in: without case, spaces, hyphens and punctuation.

    CBS pads titles, and spells one title differently between tables and versions
    ("Netto arbeidsparticipatie", "Nettoarbeidsparticipatie", "netto-arbeidsparticipatie").
    """
    return NOT_LETTER_OR_DIGIT.sub("", str(title or "").casefold())


def clean_title(title: object) -> str:
    """A title as CBS prints it, without the padding: runs of whitespace collapsed."""
    return " ".join(str(title or "").split())


def normalise_key(key: object) -> str:
    """Keys compared without the padding CBS adds to dimension keys ("T001038   ")."""
    return str(key or "").strip()


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


@dataclass(frozen=True)
class PopulationGroup:
    code: str
    label_nl: str  # table column / chart legend: "Herkomst buiten Europa"
    sentence_nl: str  # the letter's prose: "burgers met een buiten-Europese migratieachtergrond"
    classification: str
    breakdown: str = NO_BREAKDOWN
    # A breakdown group's own reference groups (all women, women of Dutch origin); empty for a
    # group of no breakdown (monitor.yaml's reference_groups apply) or a reference cell only.
    reference_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    code: str
    label_nl: str  # table column / chart caption: "Werkloosheidspercentage"
    sentence_nl: str  # after "het verschil in": "werkloosheid"
    subject_nl: str  # with its article, as a sentence's subject: "het werkloosheidspercentage"
    unit: str


@dataclass(frozen=True)
class PopulationGroups:
    """population_groups.yaml: the group and indicator codes with their Dutch wording."""

    population_groups: tuple[PopulationGroup, ...]
    indicators: tuple[Indicator, ...]

    def group(self, code: str) -> PopulationGroup | None:
        return next((g for g in self.population_groups if g.code == code), None)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


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


def _require(entry: Any, field: str, where: str) -> Any:
    if not isinstance(entry, dict) or entry.get(field) in (None, ""):
        raise ConfigFileError(f"{where}: `{field}` is required")
    return entry[field]


def _optional_text(entry: dict[str, Any], field: str) -> str | None:
    value = entry.get(field)
    return None if value in (None, "") else str(value)


def _coded_entries(
    raw: dict[str, Any], key: str, path: Path
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The entries of a `key:` list, each with where it stands (for messages) and its checked code."""
    for number, entry in enumerate(raw.get(key) or [], start=1):
        where = f"{path}: {key} entry {number}"
        code = str(_require(entry, "code", where))
        if not CODE.match(code):
            raise ConfigFileError(f"{where}: code {code!r} must be lowercase snake_case")
        yield where, code, entry


def _parse_groups(
    raw: Any, path: Path
) -> tuple[tuple[PopulationGroup, ...], tuple[Indicator, ...]]:
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{path}: expected `population_groups:` and `indicators:` lists")
    groups = []
    for where, code, entry in _coded_entries(raw, "population_groups", path):
        breakdown = str(entry.get("breakdown") or NO_BREAKDOWN)
        if breakdown not in BREAKDOWNS:
            raise ConfigFileError(
                f"{where} ({code}): breakdown {breakdown!r} is not one of {', '.join(BREAKDOWNS)}"
            )
        references = entry.get("reference_groups") or []
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            raise ConfigFileError(f"{where} ({code}): `reference_groups` must be a list of codes")
        if references and breakdown == NO_BREAKDOWN:
            raise ConfigFileError(
                f"{where} ({code}): `reference_groups` is for breakdown groups; a group of no "
                "breakdown is compared with monitor.yaml's reference_groups"
            )
        groups.append(
            PopulationGroup(
                code=code,
                label_nl=str(_require(entry, "label_nl", where)),
                sentence_nl=str(_require(entry, "sentence_nl", where)),
                classification=str(_require(entry, "classification", where)),
                breakdown=breakdown,
                reference_groups=tuple(references),
            )
        )
    indicators = []
    for where, code, entry in _coded_entries(raw, "indicators", path):
        indicators.append(
            Indicator(
                code=code,
                label_nl=str(_require(entry, "label_nl", where)),
                sentence_nl=str(_require(entry, "sentence_nl", where)),
                subject_nl=str(_require(entry, "subject_nl", where)),
                unit=str(_require(entry, "unit", where)),
            )
        )
    for kind, codes in (
        ("population group", [g.code for g in groups]),
        ("indicator", [i.code for i in indicators]),
    ):
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ConfigFileError(f"{path}: {kind} code(s) declared twice: {', '.join(duplicates)}")
    _check_breakdown_references(groups, path)
    return tuple(groups), tuple(indicators)


def _check_breakdown_references(groups: list[PopulationGroup], path: Path) -> None:
    """A breakdown group's reference is a group of the same breakdown (all women for women of an
    origin) or a whole-population group (the total, Dutch origin): never a cell of another
    breakdown, so a gap never sets a women's cell against a second-generation one."""
    by_code = {g.code: g for g in groups}
    for group in groups:
        for reference in group.reference_groups:
            found = by_code.get(reference)
            if found is None:
                raise ConfigFileError(
                    f"{path}: group {group.code}: reference group {reference!r} is not declared"
                )
            if reference == group.code:
                raise ConfigFileError(f"{path}: group {group.code} names itself as reference")
            if found.breakdown not in (group.breakdown, NO_BREAKDOWN):
                raise ConfigFileError(
                    f"{path}: group {group.code} (breakdown {group.breakdown}) cannot be compared "
                    f"with {reference} (breakdown {found.breakdown}): a gap compares cells of one "
                    "breakdown, or with a whole-population group"
                )


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
    table_id = str(_require(entry, "table_id", where))
    if not TABLE_ID.match(table_id):
        raise ConfigFileError(f"{where}: table_id {table_id!r} is not a StatLine table id")
    where = f"{path}: table {table_id}"
    measures = []
    for m_number, measure in enumerate(_require(entry, "measures", where), start=1):
        m_where = f"{where}, measure {m_number}"
        indicator = str(_require(measure, "indicator", m_where))
        if indicator not in indicator_codes:
            raise ConfigFileError(
                f"{m_where}: indicator {indicator!r} is not declared in {GROUPS_FILE}"
            )
        measures.append(
            MeasureConfig(
                str(_require(measure, "title", m_where)),
                indicator,
                _optional_text(measure, "cbs_unit"),
            )
        )
    indicators = [m.indicator for m in measures]
    if len(set(indicators)) != len(indicators):
        raise ConfigFileError(f"{where}: two measures map to the same indicator")
    fixed = []
    for f_number, item in enumerate(entry.get("fixed") or [], start=1):
        f_where = f"{where}, fixed entry {f_number}"
        key, title = _optional_text(item, "key"), _optional_text(item, "title")
        if key is None and title is None:
            raise ConfigFileError(f"{f_where}: give the total's `key` or `title` (or both)")
        fixed.append(
            FixedCategory(
                str(_require(item, "dimension", f_where)),
                key,
                title,
                bool(item.get("optional", False)),
            )
        )
    group_entry = _require(entry, "population_groups", where)
    group_dimension = str(_require(group_entry, "dimension", f"{where}, population_groups"))
    groups = []
    for g_number, item in enumerate(
        _require(group_entry, "categories", f"{where}, population_groups"), start=1
    ):
        g_where = f"{where}, population group {g_number}"
        code = str(_require(item, "group", g_where))
        if code not in group_codes:
            raise ConfigFileError(f"{g_where}: group {code!r} is not declared in {GROUPS_FILE}")
        groups.append(
            GroupCategory(str(_require(item, "title", g_where)), _optional_text(item, "key"), code)
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
        classification=str(_require(entry, "classification", where)),
        first_year=first_year,
        last_year=last_year,
        measures=tuple(measures),
        fixed=tuple(fixed),
        group_dimension=group_dimension,
        groups=tuple(groups),
        cells=cells,
    )


def _parse_cell(item: Any, number: int, where: str, group_codes: set[str]) -> CellGroup:
    c_where = f"{where}, cell {number}"
    code = str(_require(item, "group", c_where))
    if code not in group_codes:
        raise ConfigFileError(f"{c_where}: group {code!r} is not declared in {GROUPS_FILE}")
    c_where = f"{where}, cell {code}"
    raw_categories = _require(item, "categories", c_where)
    if not isinstance(raw_categories, list) or len(raw_categories) < 2:
        raise ConfigFileError(
            f"{c_where}: `categories` lists the cell's category in two or more dimensions "
            "(a group of one dimension is a population_groups category)"
        )
    categories = tuple(
        CellCategory(
            str(_require(category, "dimension", c_where)),
            str(_require(category, "title", c_where)),
            _optional_text(category, "key"),
        )
        for category in raw_categories
    )
    dimensions = [normalise_title(c.dimension) for c in categories]
    if len(set(dimensions)) != len(dimensions):
        raise ConfigFileError(f"{c_where}: a dimension is named twice")
    return CellGroup(code, categories)


def load_population_groups(config_dir: Path = CONFIG_DIR) -> PopulationGroups:
    """Read population_groups.yaml: the codes, and their Dutch labels and sentence wording."""
    groups, indicators = _parse_groups(load_yaml(GROUPS_FILE, config_dir), config_dir / GROUPS_FILE)
    return PopulationGroups(groups, indicators)


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
