"""monitor.yaml's `plausibility:` block read into a typed record: how far a CBS figure may move
from one year to the next, the bounds of a rate, and how large a revision to a sent figure may be
before it warns. Every problem names the file and the key."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from via_pipeline.core.cbs.population_groups import GROUPS_FILE, load_population_groups
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

CONFIG_FILE = "monitor.yaml"
BLOCK = "plausibility"
# The unit (population_groups.yaml `unit`) of the indicators that are rates.
RATE_UNIT = "percent"
# The size of a move or revision is a difference of one-decimal CBS figures: 7.3 - 4.3 is
# 3.0000000000000004, which is not "more than 3".
TOLERANCE = 1e-9


@dataclass(frozen=True)
class MoveLimit:
    """The largest move from one year to the next that passes without a warning, for one unit:
    `totals` for a whole origin group (every other dimension held at its total), `breakdown_cells`
    for a cell of a breakdown (generation, sex, start qualification), whose smaller samples
    move more."""

    totals: float
    breakdown_cells: float


@dataclass(frozen=True)
class PlausibilityConfig:
    max_year_move: Mapping[str, MoveLimit] = field(
        default_factory=lambda: {RATE_UNIT: MoveLimit(totals=3.0, breakdown_cells=5.0)}
    )
    rate_min: float = 0.0
    rate_max: float = 100.0
    # The smallest revision (percentage points) of a figure of a sent letter that is a warning
    # (core/letter/releases/report.py, `revision_warns`).
    revision_warning_pp: float = 0.3
    tolerance: float = TOLERANCE

    def move_limit(self, unit: str, *, breakdown_cell: bool) -> float | None:
        """The move limit for an indicator of `unit` (None: moves of this unit are not checked)."""
        limit = self.max_year_move.get(unit)
        if limit is None:
            return None
        return limit.breakdown_cells if breakdown_cell else limit.totals

    def revision_warns(self, sent_value: float, current_value: float) -> bool:
        """Whether a sent figure's revision is at least `revision_warning_pp`."""
        return abs(current_value - sent_value) >= self.revision_warning_pp - self.tolerance


def _number(raw: Mapping[str, Any], key: str, where: str, minimum: float = 0.0) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigFileError(f"{where}: `{key}` must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def _mapping(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        raise ConfigFileError(f"{where}: `{key}` must be a mapping, got {value!r}")
    return value


def parse_plausibility_config(
    raw: Any, source: str = CONFIG_FILE, units: Collection[str] | None = None
) -> PlausibilityConfig:
    """Validate the parsed monitor.yaml's `plausibility:` block.

    `units`: the indicator units population_groups.yaml uses (None: not checked); a unit of
    `max_year_move` that no indicator has is refused, so a typo does not switch the rule off.
    """
    if not isinstance(raw, dict):
        raise ConfigFileError(f"{source}: expected a mapping at the top level")
    where = f"{source} {BLOCK}"
    block = raw.get(BLOCK)
    if not isinstance(block, dict):
        raise ConfigFileError(f"{source}: `{BLOCK}` must be a mapping, got {block!r}")
    unknown = sorted(set(block) - {"max_year_move", "rate_bounds", "revision_warning_pp"})
    if unknown:
        raise ConfigFileError(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}; expected max_year_move, "
            "rate_bounds, revision_warning_pp"
        )
    limits: dict[str, MoveLimit] = {}
    for unit, entry in _mapping(block, "max_year_move", where).items():
        unit_where = f"{where} max_year_move {unit}"
        if units is not None and unit not in units:
            raise ConfigFileError(
                f"{unit_where}: no indicator of {GROUPS_FILE} has unit {unit!r} "
                f"(units there: {', '.join(sorted(units)) or 'none'})"
            )
        if not isinstance(entry, dict):
            raise ConfigFileError(
                f"{unit_where}: expected `totals` and `breakdown_cells`, got {entry!r}"
            )
        limits[str(unit)] = MoveLimit(
            totals=_number(entry, "totals", unit_where),
            breakdown_cells=_number(entry, "breakdown_cells", unit_where),
        )
    bounds_where = f"{where} rate_bounds"
    bounds = _mapping(block, "rate_bounds", where)
    rate_min = _number(bounds, "min", bounds_where, minimum=float("-inf"))
    rate_max = _number(bounds, "max", bounds_where, minimum=float("-inf"))
    if rate_min >= rate_max:
        raise ConfigFileError(
            f"{bounds_where}: `min` ({rate_min:g}) must be below `max` ({rate_max:g})"
        )
    return PlausibilityConfig(
        max_year_move=limits,
        rate_min=rate_min,
        rate_max=rate_max,
        revision_warning_pp=_number(block, "revision_warning_pp", where),
    )


def load_plausibility_config(config_dir: Path = CONFIG_DIR) -> PlausibilityConfig:
    """monitor.yaml's `plausibility:` block, its units checked against population_groups.yaml."""
    units = {indicator.unit for indicator in load_population_groups(config_dir).indicators}
    return parse_plausibility_config(
        load_yaml(CONFIG_FILE, config_dir), str(config_dir / CONFIG_FILE), units
    )


def load_revision_warning_pp(config_dir: Path = CONFIG_DIR) -> float:
    """The smallest revision (percentage points) of a figure of a sent letter that is a warning:
    monitor.yaml `plausibility: revision_warning_pp`."""
    return load_plausibility_config(config_dir).revision_warning_pp
