"""Resolving the catalogue against one version of a StatLine table: its measures, groups, the
category each other dimension is held at, and its yearly periods.

Measures, totals and groups are found by title (without case, spaces, hyphens or punctuation)
or configured key,
never by the numbered OData keys CBS renumbers between table versions; whatever cannot be found
stops the ingest with the table, the title looked for and the titles the table has.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from via_pipeline.core.cbs.catalogue import (
    CELL_KEY_SEPARATOR,
    CELL_SEPARATOR,
    CellGroup,
    FixedCategory,
    GroupCategory,
    TableConfig,
    clean_title,
    normalise_key,
    normalise_title,
)
from via_pipeline.core.cbs.client import Record
from via_pipeline.core.cbs.odata import build_filter, quote
from via_pipeline.core.cbs.periods import Period, yearly_periods

DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension", "GeoDetail")


class CatalogueMismatchError(ValueError):
    """The table does not hold what cbs_tables.yaml says to take from it."""


def _titles(records: Sequence[Record]) -> str:
    return ", ".join(repr(clean_title(r.get("Title"))) for r in records) or "none"


def nearest_titles(wanted: str, records: Sequence[Record], count: int = 3) -> list[str]:
    """The titles closest to `wanted` (compared normalised), best first, for messages."""
    by_normal = {normalise_title(r.get("Title")): clean_title(r.get("Title")) for r in records}
    target = normalise_title(wanted)
    # A title that contains the one looked for (or is contained in it) first: CBS lengthens
    # titles ("Buiten Europa (excl. 5 grote herkomstgroepen)"); then by similarity.
    containing = [n for n in by_normal if target and n and (target in n or n in target)]
    close = difflib.get_close_matches(target, list(by_normal), n=count, cutoff=0.4)
    ranked = list(dict.fromkeys([*containing, *close]))[:count]
    return [by_normal[normal] for normal in ranked]


def _nearest(wanted: str, records: Sequence[Record]) -> str:
    near = nearest_titles(wanted, records)
    return f"; nearest: {', '.join(repr(t) for t in near)}" if near else ""


def check_distinct_titles(table_id: str, dimension: str, categories: Sequence[Record]) -> None:
    """Two categories whose titles differ only in case, spaces, hyphens or punctuation cannot be
    told apart by title: an error naming both, rather than taking either."""
    seen: dict[str, Record] = {}
    for category in categories:
        normal = normalise_title(category.get("Title"))
        other = seen.get(normal)
        if other is not None and normalise_key(other.get("Key")) != normalise_key(
            category.get("Key")
        ):
            raise CatalogueMismatchError(
                f"CBS table {table_id}: dimension {dimension!r} has two categories with the "
                f"same title once case, spaces and punctuation are ignored: "
                f"{clean_title(other.get('Title'))!r} ({normalise_key(other.get('Key'))}) and "
                f"{clean_title(category.get('Title'))!r} ({normalise_key(category.get('Key'))})"
            )
        seen[normal] = category


# -- resolving the catalogue against the table's metadata ---------------------------------------

# A dimension the catalogue does not name is held at its total: CBS titles it "Totaal..."
# and keys it T00... (T001038 Totaal mannen en vrouwen, T001638, T001040).
TOTAL_TITLE_PREFIX = "totaal"
TOTAL_KEY_PREFIX = "T00"
CHOSEN_BY_CATALOGUE = "catalogue"
CHOSEN_BY_TOTAL_RULE = "total_rule"


@dataclass(frozen=True)
class ResolvedMeasure:
    indicator: str
    key: str
    title: str
    unit: str | None
    decimals: int | None = None  # DataProperties.Decimals: the precision CBS publishes


@dataclass(frozen=True)
class ResolvedGroup:
    key: str
    title: str
    group: str


@dataclass(frozen=True)
class ResolvedCell:
    """A cell group in this version's keys: the category of every dimension but the periods."""

    group: str
    key: str  # the named categories' keys joined: cbs.observations.population_group_key
    title: str  # their titles joined: cbs.observations.population_group_title
    coordinates: Mapping[str, str]  # dimension key -> category key, for every dimension


@dataclass(frozen=True)
class HeldDimension:
    """A dimension that is not the population group, held at one category (its total)."""

    dimension_key: str
    dimension_title: str
    category_key: str
    category_title: str
    chosen_by: str  # CHOSEN_BY_CATALOGUE or CHOSEN_BY_TOTAL_RULE

    def describe(self, table_id: str) -> str:
        return (
            f"{table_id}: {self.dimension_title} held at {self.category_title!r} "
            f"({self.category_key})"
        )


@dataclass(frozen=True)
class TableLayout:
    """The configured slice of one table, in the keys of the version just read."""

    table_id: str
    measures: tuple[ResolvedMeasure, ...]
    held: tuple[HeldDimension, ...]
    group_dimension: str
    groups: tuple[ResolvedGroup, ...]
    period_dimension: str
    periods: Mapping[str, Period] = field(default_factory=dict)
    left_out_groups: tuple[str, ...] = ()  # group-dimension titles the catalogue does not map
    group_dimension_title: str = ""
    cells: tuple[ResolvedCell, ...] = ()

    def all_cells(self) -> tuple[ResolvedCell, ...]:
        """Every group as a cell: the group-dimension groups at the held categories, then the
        configured cells. cbs.observations holds exactly these cells."""
        plain = tuple(
            ResolvedCell(g.group, g.key, g.title, {**self.fixed, self.group_dimension: g.key})
            for g in self.groups
        )
        return plain + self.cells

    @property
    def fixed(self) -> dict[str, str]:
        return {h.dimension_key: h.category_key for h in self.held}

    @property
    def years(self) -> list[int]:
        return sorted(p.year for p in self.periods.values())

    def filter_text(self) -> str:
        """Only the cells used: the groups at the held categories, or any configured cell
        (each an `and` of its categories), in yearly periods."""
        plain = build_filter(
            equal_to=self.fixed,
            any_of={self.group_dimension: [g.key for g in self.groups]},
            contains={},
        )
        periods = build_filter(equal_to={}, any_of={}, contains={self.period_dimension: "JJ"})
        if not self.cells:
            return f"{plain} and {periods}"
        alternatives = [plain] + [
            " and ".join(
                f"({dimension} eq {quote(key)})" for dimension, key in cell.coordinates.items()
            )
            for cell in self.cells
        ]
        return "(" + " or ".join(f"({a})" for a in alternatives) + f") and {periods}"

    def select(self) -> list[str]:
        return [
            *self.fixed,
            self.group_dimension,
            self.period_dimension,
            *(m.key for m in self.measures),
        ]

    def notes(self) -> list[str]:
        """What the run output says about this version: held dimensions, groups left out."""
        lines = [h.describe(self.table_id) for h in self.held]
        if self.left_out_groups:
            lines.append(
                f"{self.table_id}: {self.group_dimension_title or self.group_dimension} "
                "categories not in cbs_tables.yaml, left out: "
                + ", ".join(repr(t) for t in self.left_out_groups)
            )
        return lines


def _match_one(
    records: Sequence[Record], key: str | None, title: str | None, what: str, table_id: str
) -> Record | None:
    """The one record whose key or title matches; several distinct matches are an error."""
    wanted_key = normalise_key(key) if key else None
    wanted_title = normalise_title(title) if title else None
    found = [
        record
        for record in records
        if (wanted_key and normalise_key(record.get("Key")) == wanted_key)
        or (wanted_title and normalise_title(record.get("Title")) == wanted_title)
    ]
    distinct = {normalise_key(r.get("Key")): r for r in found}
    if len(distinct) > 1:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: {what} is ambiguous: "
            f"keys {', '.join(sorted(distinct))} all match"
        )
    return next(iter(distinct.values()), None)


def dimensions_of(data_properties: Sequence[Record]) -> list[Record]:
    return [p for p in data_properties if p.get("Type") in DIMENSION_TYPES]


def _find_dimension(dimensions: Sequence[Record], name: str) -> Record | None:
    wanted = normalise_title(name)
    for dimension in dimensions:
        if (
            normalise_title(dimension.get("Key")) == wanted
            or normalise_title(dimension.get("Title")) == wanted
        ):
            return dimension
    return None


def _dimension_records(dimensions: Sequence[Record]) -> list[Record]:
    """Dimensions as records titled by key and title, for nearest-title hints."""
    return [{"Key": d.get("Key"), "Title": d.get("Title")} for d in dimensions]


def resolve_measures(
    config: TableConfig, data_properties: Sequence[Record]
) -> tuple[ResolvedMeasure, ...]:
    topics = [p for p in data_properties if p.get("Type") == "Topic"]
    measures = []
    for measure in config.measures:
        wanted = normalise_title(measure.title)
        found = [t for t in topics if normalise_title(t.get("Title")) == wanted]
        if not found:
            raise CatalogueMismatchError(
                f"CBS table {config.table_id}: measure {measure.title!r} not found in "
                f"DataProperties{_nearest(measure.title, topics)}; "
                f"measure titles found: {_titles(topics)}"
            )
        if len(found) > 1:
            raise CatalogueMismatchError(
                f"CBS table {config.table_id}: measure {measure.title!r} is ambiguous: "
                + ", ".join(f"{t.get('Key')} ({clean_title(t.get('Title'))!r})" for t in found)
                + " carry that title"
            )
        topic = found[0]
        unit = clean_title(topic.get("Unit")) or None
        # Units keep their punctuation ("%", "x 1 000"): only case and spacing are ignored.
        if (
            measure.cbs_unit is not None
            and (unit or "").casefold() != clean_title(measure.cbs_unit).casefold()
        ):
            raise CatalogueMismatchError(
                f"CBS table {config.table_id}: measure {measure.title!r} ({topic.get('Key')}) "
                "is in unit "
                f"{unit!r}, cbs_tables.yaml expects {measure.cbs_unit!r}"
            )
        decimals = topic.get("Decimals")
        measures.append(
            ResolvedMeasure(
                measure.indicator,
                str(topic["Key"]),
                clean_title(topic["Title"]),
                unit,
                int(decimals)
                if isinstance(decimals, int) and not isinstance(decimals, bool)
                else None,
            )
        )
    return tuple(measures)


def total_category(table_id: str, dimension: Record, categories: Sequence[Record]) -> Record:
    """The total of a dimension the catalogue does not name: the category titled "Totaal..."
    or keyed T00...; both signs together decide between several. None: the ingest stops."""
    name = f"{clean_title(dimension.get('Title'))!r} ({dimension.get('Key')})"

    def by_title(record: Record) -> bool:
        return normalise_title(record.get("Title")).startswith(TOTAL_TITLE_PREFIX)

    def by_key(record: Record) -> bool:
        return normalise_key(record.get("Key")).startswith(TOTAL_KEY_PREFIX)

    candidates = [c for c in categories if by_title(c) or by_key(c)]
    if len(candidates) > 1:
        both = [c for c in candidates if by_title(c) and by_key(c)]
        candidates = both if len(both) == 1 else candidates
    if not candidates:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: dimension {name} is not in cbs_tables.yaml and has no "
            "total category (title 'Totaal...' or key 'T00...'); titles found: "
            f"{_titles(categories)}; name the category to keep under `fixed:`"
        )
    if len(candidates) > 1:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: dimension {name} is not in cbs_tables.yaml and has "
            "several total categories: "
            + ", ".join(
                f"{clean_title(c.get('Title'))!r} ({normalise_key(c.get('Key'))})"
                for c in candidates
            )
            + "; name the category to keep under `fixed:`"
        )
    return candidates[0]


def resolve_layout(
    config: TableConfig,
    data_properties: Sequence[Record],
    code_lists: Mapping[str, Sequence[Record]],
) -> TableLayout:
    """Match the catalogue entry to this version of the table; every miss names what was there.

    Dimensions the catalogue names under `fixed:` are held at the category it gives; every
    other dimension but the group and time dimensions is held at its total (`total_category`).
    """
    table_id = config.table_id
    measures = resolve_measures(config, data_properties)
    dimensions = dimensions_of(data_properties)
    dimension_names = ", ".join(repr(str(d.get("Key"))) for d in dimensions) or "none"
    time_dimensions = [d for d in dimensions if d.get("Type") == "TimeDimension"]
    if len(time_dimensions) != 1:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: expected one time dimension, found {dimension_names}"
        )
    period_dimension = str(time_dimensions[0]["Key"])

    group_dimension = _find_dimension(dimensions, config.group_dimension)
    if group_dimension is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: population group dimension "
            f"{config.group_dimension!r} not found"
            f"{_nearest(config.group_dimension, _dimension_records(dimensions))}; "
            f"dimensions found: {dimension_names}"
        )
    group_key = str(group_dimension["Key"])
    group_categories = code_lists.get(group_key, [])
    check_distinct_titles(table_id, group_key, group_categories)
    groups = tuple(
        _resolve_group(table_id, group_key, item, group_categories) for item in config.groups
    )
    mapped = {normalise_key(g.key) for g in groups}
    left_out = tuple(
        clean_title(c.get("Title"))
        for c in group_categories
        if normalise_key(c.get("Key")) not in mapped
    )

    configured: dict[str, FixedCategory] = {}
    for item in config.fixed:
        dimension = _find_dimension(dimensions, item.dimension)
        if dimension is None:
            if item.optional:
                continue
            raise CatalogueMismatchError(
                f"CBS table {table_id}: dimension {item.dimension!r} not found"
                f"{_nearest(item.dimension, _dimension_records(dimensions))}; "
                f"dimensions found: {dimension_names}"
            )
        configured[str(dimension["Key"])] = item

    held = []
    for dimension in dimensions:
        key = str(dimension["Key"])
        if key in (period_dimension, group_key):
            continue
        categories = code_lists.get(key, [])
        check_distinct_titles(table_id, key, categories)
        named = configured.get(key)
        if named is not None:
            record = _resolve_fixed(table_id, key, named, categories)
            chosen_by = CHOSEN_BY_CATALOGUE
        else:
            record = total_category(table_id, dimension, categories)
            chosen_by = CHOSEN_BY_TOTAL_RULE
        held.append(
            HeldDimension(
                key,
                clean_title(dimension.get("Title")) or key,
                normalise_key(record.get("Key")),
                clean_title(record.get("Title")),
                chosen_by,
            )
        )
    periods = yearly_periods(code_lists.get(period_dimension, []))
    group_total = normalise_key(total_category(table_id, group_dimension, group_categories)["Key"])
    base = {h.dimension_key: h.category_key for h in held}
    base[group_key] = group_total
    cells = tuple(
        _resolve_cell(table_id, cell, dimensions, code_lists, base, period_dimension)
        for cell in config.cells
    )
    _check_distinct_cells(table_id, groups, held, group_key, cells)
    return TableLayout(
        table_id,
        measures,
        tuple(held),
        group_key,
        groups,
        period_dimension,
        periods,
        left_out,
        clean_title(group_dimension.get("Title")) or group_key,
        cells,
    )


def _resolve_cell(
    table_id: str,
    cell: CellGroup,
    dimensions: Sequence[Record],
    code_lists: Mapping[str, Sequence[Record]],
    base: Mapping[str, str],
    period_dimension: str,
) -> ResolvedCell:
    """The cell's category in each dimension it names; every other dimension at `base` (the
    held categories, and the group dimension's total)."""
    coordinates = dict(base)
    keys, titles = [], []
    for item in cell.categories:
        dimension = _find_dimension(dimensions, item.dimension)
        if dimension is None or str(dimension["Key"]) == period_dimension:
            others = [d for d in dimensions if d["Key"] != period_dimension]
            names = ", ".join(repr(clean_title(d.get("Title"))) for d in others)
            raise CatalogueMismatchError(
                f"CBS table {table_id}: population group {cell.group!r} is declared across "
                f"dimension {item.dimension!r}, which the table does not have"
                f"{_nearest(item.dimension, _dimension_records(others))}; dimensions found: "
                f"{names}"
            )
        key = str(dimension["Key"])
        what = f"the category {item.title!r} of {item.dimension!r} in group {cell.group!r}"
        record = _match_one(code_lists.get(key, []), item.key, item.title, what, table_id)
        if record is None:
            raise CatalogueMismatchError(
                f"CBS table {table_id}: population group {cell.group!r}: dimension "
                f"{item.dimension!r} has no category {item.title!r}"
                f"{_nearest(item.title, code_lists.get(key, []))}; "
                f"titles found: {_titles(code_lists.get(key, []))}"
            )
        coordinates[key] = normalise_key(record.get("Key"))
        keys.append(normalise_key(record.get("Key")))
        titles.append(clean_title(record.get("Title")))
    return ResolvedCell(
        cell.group, CELL_KEY_SEPARATOR.join(keys), CELL_SEPARATOR.join(titles), coordinates
    )


def _check_distinct_cells(
    table_id: str,
    groups: Sequence[ResolvedGroup],
    held: Sequence[HeldDimension],
    group_key: str,
    cells: Sequence[ResolvedCell],
) -> None:
    """Two groups that are the same cell of the table would be one figure under two codes."""
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    fixed = {h.dimension_key: h.category_key for h in held}
    plain = [(g.group, {**fixed, group_key: normalise_key(g.key)}) for g in groups]
    for code, coordinates in [*plain, *((c.group, c.coordinates) for c in cells)]:
        point = tuple(sorted(coordinates.items()))
        if point in seen:
            raise CatalogueMismatchError(
                f"CBS table {table_id}: population groups {seen[point]!r} and {code!r} are the "
                "same cell of the table"
            )
        seen[point] = code


def _resolve_fixed(
    table_id: str, dimension: str, item: FixedCategory, categories: Sequence[Record]
) -> Record:
    what = f"the total of dimension {dimension!r} ({item.describe()})"
    record = _match_one(categories, item.key, item.title, what, table_id)
    if record is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: dimension {dimension!r} has no category with "
            f"{item.describe()}{_nearest(item.title or '', categories)}; "
            f"titles found: {_titles(categories)}"
        )
    return record


def _resolve_group(
    table_id: str, dimension: str, item: GroupCategory, categories: Sequence[Record]
) -> ResolvedGroup:
    what = f"population group {item.title!r} ({item.group})"
    record = _match_one(categories, item.key, item.title, what, table_id)
    if record is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: population group {item.title!r} ({item.group}) "
            f"not found in dimension {dimension!r}{_nearest(item.title, categories)}; "
            f"titles found: {_titles(categories)}"
        )
    return ResolvedGroup(str(record["Key"]), clean_title(record.get("Title")), item.group)
