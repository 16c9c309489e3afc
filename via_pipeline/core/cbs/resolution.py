"""Resolving the catalogue against one version of a StatLine table: its measures, groups, the
category each other dimension is held at, and its yearly periods.

Measures, totals and groups are found by title (without case, spaces, hyphens or punctuation)
or configured key (matching.py), never by the numbered OData keys CBS renumbers between table
versions; whatever cannot be found stops the ingest with the table, the title looked for and
the titles the table has. The result is a TableLayout (layout.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from via_pipeline.core.cbs.catalogue import (
    CELL_KEY_SEPARATOR,
    CELL_SEPARATOR,
    CellGroup,
    FixedCategory,
    GroupCategory,
    TableConfig,
)
from via_pipeline.core.cbs.client import Record
from via_pipeline.core.cbs.layout import (
    CHOSEN_BY_CATALOGUE,
    CHOSEN_BY_TOTAL_RULE,
    HeldDimension,
    ResolvedCell,
    ResolvedGroup,
    ResolvedMeasure,
    TableLayout,
)
from via_pipeline.core.cbs.matching import (
    CatalogueMismatchError,
    check_distinct_titles,
    dimension_records,
    dimensions_of,
    find_dimension,
    match_one,
    nearest_hint,
    titles_found,
)
from via_pipeline.core.cbs.periods import yearly_periods
from via_pipeline.core.cbs.titles import clean_title, normalise_key, normalise_title

# A dimension the catalogue does not name is held at its total: CBS titles it "Totaal..."
# and keys it T00... (T001038 Totaal mannen en vrouwen, T001638, T001040).
TOTAL_TITLE_PREFIX = "totaal"
TOTAL_KEY_PREFIX = "T00"


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
                f"DataProperties{nearest_hint(measure.title, topics)}; "
                f"measure titles found: {titles_found(topics)}"
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
            f"{titles_found(categories)}; name the category to keep under `fixed:`"
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

    group_dimension = find_dimension(dimensions, config.group_dimension)
    if group_dimension is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: population group dimension "
            f"{config.group_dimension!r} not found"
            f"{nearest_hint(config.group_dimension, dimension_records(dimensions))}; "
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
        dimension = find_dimension(dimensions, item.dimension)
        if dimension is None:
            if item.optional:
                continue
            raise CatalogueMismatchError(
                f"CBS table {table_id}: dimension {item.dimension!r} not found"
                f"{nearest_hint(item.dimension, dimension_records(dimensions))}; "
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
        dimension = find_dimension(dimensions, item.dimension)
        if dimension is None or str(dimension["Key"]) == period_dimension:
            others = [d for d in dimensions if d["Key"] != period_dimension]
            names = ", ".join(repr(clean_title(d.get("Title"))) for d in others)
            raise CatalogueMismatchError(
                f"CBS table {table_id}: population group {cell.group!r} is declared across "
                f"dimension {item.dimension!r}, which the table does not have"
                f"{nearest_hint(item.dimension, dimension_records(others))}; dimensions found: "
                f"{names}"
            )
        key = str(dimension["Key"])
        what = f"the category {item.title!r} of {item.dimension!r} in group {cell.group!r}"
        record = match_one(code_lists.get(key, []), item.key, item.title, what, table_id)
        if record is None:
            raise CatalogueMismatchError(
                f"CBS table {table_id}: population group {cell.group!r}: dimension "
                f"{item.dimension!r} has no category {item.title!r}"
                f"{nearest_hint(item.title, code_lists.get(key, []))}; "
                f"titles found: {titles_found(code_lists.get(key, []))}"
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
    record = match_one(categories, item.key, item.title, what, table_id)
    if record is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: dimension {dimension!r} has no category with "
            f"{item.describe()}{nearest_hint(item.title or '', categories)}; "
            f"titles found: {titles_found(categories)}"
        )
    return record


def _resolve_group(
    table_id: str, dimension: str, item: GroupCategory, categories: Sequence[Record]
) -> ResolvedGroup:
    what = f"population group {item.title!r} ({item.group})"
    record = match_one(categories, item.key, item.title, what, table_id)
    if record is None:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: population group {item.title!r} ({item.group}) "
            f"not found in dimension {dimension!r}{nearest_hint(item.title, categories)}; "
            f"titles found: {titles_found(categories)}"
        )
    return ResolvedGroup(str(record["Key"]), clean_title(record.get("Title")), item.group)
