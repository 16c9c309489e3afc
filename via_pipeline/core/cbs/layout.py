"""The configured slice of one StatLine table in the keys of the version just read: its
measures, the category each other dimension is held at, its groups and cells, and its yearly
periods; and the OData query (filter and columns) that asks for only those cells.

resolution.py builds it from the catalogue and the table's metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from via_pipeline.core.cbs.odata import build_filter, quote
from via_pipeline.core.cbs.periods import Period

# The bundled snapshot marks keys its sources did not give with this word
# (snapshots/cbs/README.md, "What is not confirmed"); the run output says so in words.
PLACEHOLDER_KEY_MARK = "UNCONFIRMED"


def describe_key(key: str) -> str:
    """A category key as the run output shows it: a placeholder key is named in words."""
    if PLACEHOLDER_KEY_MARK in key.upper():
        return "key not yet confirmed against CBS"
    return key


# How a held dimension's category was chosen (HeldDimension.chosen_by).
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
            f"({describe_key(self.category_key)})"
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

    def filter_text(self, period_mark: str = "JJ") -> str:
        """Only the cells used: the groups at the held categories, or any configured cell
        (each an `and` of its categories), in yearly periods (or, with period_mark "KW",
        quarters: core/cbs/quarters.py)."""
        plain = build_filter(
            equal_to=self.fixed,
            any_of={self.group_dimension: [g.key for g in self.groups]},
            contains={},
        )
        periods = build_filter(
            equal_to={}, any_of={}, contains={self.period_dimension: period_mark}
        )
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
