"""How the catalogue resolves against CBS, without reading any cell: `via-pipeline cbs check`.

Reads only TableInfos, DataProperties and the code lists, writes nothing. Every measure, the
group dimension and each group, every held dimension, the left-out groups and the years are
said with key and title; whatever does not resolve is said with the nearest titles, all
problems of a table at once (not only the first).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from via_pipeline.core.cbs.catalogue import TableConfig
from via_pipeline.core.cbs.client import CbsClient, CbsError
from via_pipeline.core.cbs.layout import CHOSEN_BY_CATALOGUE
from via_pipeline.core.cbs.matching import CatalogueMismatchError, dimensions_of
from via_pipeline.core.cbs.periods import implausible_years
from via_pipeline.core.cbs.resolution import resolve_layout, resolve_measures
from via_pipeline.core.cbs.titles import clean_title


@dataclass(frozen=True)
class TableCheck:
    table_id: str
    lines: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def resolves(self) -> bool:
        return not self.problems

    def report(self) -> list[str]:
        return [*self.lines, *(f"  NOT RESOLVED: {problem}" for problem in self.problems)]


def _decimals(value: int | None) -> str:
    return "decimals not given" if value is None else f"{value} decimal{'s' * (value != 1)}"


def check_table(client: CbsClient, config: TableConfig) -> TableCheck:
    """Resolve one table's catalogue entry against CBS's metadata and say how it went."""
    table_id = config.table_id
    try:
        info = client.table_info(table_id)
        properties = client.entity(table_id, "DataProperties")
        code_lists = {
            str(d["Key"]): client.entity(table_id, str(d["Key"])) for d in dimensions_of(properties)
        }
    except CbsError as error:
        return TableCheck(table_id, (f"{table_id}: not read",), (str(error),))

    lines = [
        f"{table_id} {clean_title(info.get('Title'))!r}: Modified "
        f"{info.get('Modified') or 'not given'}, Period {info.get('Period') or 'not given'}"
    ]
    problems: list[str] = []
    for measure in config.measures:
        try:
            (found,) = resolve_measures(
                dataclasses.replace(config, measures=(measure,)), properties
            )
        except CatalogueMismatchError as error:
            problems.append(str(error))
            continue
        lines.append(
            f"  measure {measure.title!r} -> {found.key} {found.title!r} "
            f"({found.unit or 'no unit'}, {_decimals(found.decimals)}) = {found.indicator}"
        )

    without_measures = dataclasses.replace(config, measures=())
    try:
        layout = resolve_layout(without_measures, properties, code_lists)
    except CatalogueMismatchError as error:
        problems.append(str(error))
        # Each group on its own, so every missing group is named, not only the first.
        for group in config.groups:
            try:
                resolve_layout(
                    dataclasses.replace(without_measures, groups=(group,)), properties, code_lists
                )
            except CatalogueMismatchError as group_error:
                if str(group_error) not in problems:
                    problems.append(str(group_error))
        return TableCheck(table_id, tuple(lines), tuple(problems))

    lines.append(f"  group dimension {layout.group_dimension_title!r} ({layout.group_dimension})")
    lines.extend(f"    {g.group} -> {g.key.strip()} {g.title!r}" for g in layout.groups)
    if layout.cells:
        lines.append("  breakdown cells (the other dimensions where the groups are held)")
        lines.extend(f"    {c.group} -> {c.key} {c.title!r}" for c in layout.cells)
    for held in layout.held:
        rule = "cbs_tables.yaml" if held.chosen_by == CHOSEN_BY_CATALOGUE else "the total rule"
        lines.append(
            f"  held {held.dimension_title!r} ({held.dimension_key}) at "
            f"{held.category_title!r} ({held.category_key}), by {rule}"
        )
    if layout.left_out_groups:
        lines.append(
            "  left out (not in cbs_tables.yaml): "
            + ", ".join(repr(t) for t in layout.left_out_groups)
        )
    years = layout.years
    if years:
        provisional = sorted(p.year for p in layout.periods.values() if p.provisional)
        lines.append(
            f"  years {years[0]}-{years[-1]} ({len(years)} yearly periods"
            + (f"; provisional: {', '.join(map(str, provisional))}" if provisional else "")
            + ")"
        )
        odd = implausible_years(years, datetime.now(UTC).year)
        if odd:
            problems.append(f"CBS table {table_id}: implausible year(s) {odd}")
    else:
        problems.append(
            f"CBS table {table_id}: no yearly period (JJ00) in {layout.period_dimension}"
        )
    return TableCheck(table_id, tuple(lines), tuple(problems))
