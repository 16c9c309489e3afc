"""population_groups.yaml: the population group and indicator codes, read into typed records.

This file is the one home of the Dutch wording of every group and indicator (table labels and
the letter's prose); the letter and the monitor read it through `load_population_groups`.
Every problem names the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.cbs.config_entries import require_field
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

GROUPS_FILE = "population_groups.yaml"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# What a group is a cell of, besides its origin: `none` for a whole origin group (the group
# dimension alone), else the dimension the cell also cuts (Geboorteland (ouders), Geslacht,
# Startkwalificatie). Gaps compare a group only with the reference groups it declares.
NO_BREAKDOWN = "none"
BREAKDOWNS = (NO_BREAKDOWN, "generation", "sex", "start_qualification")


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


def _coded_entries(
    raw: dict[str, Any], key: str, path: Path
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The entries of a `key:` list, each with where it stands (for messages) and its checked code."""
    for number, entry in enumerate(raw.get(key) or [], start=1):
        where = f"{path}: {key} entry {number}"
        code = str(require_field(entry, "code", where))
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
                label_nl=str(require_field(entry, "label_nl", where)),
                sentence_nl=str(require_field(entry, "sentence_nl", where)),
                classification=str(require_field(entry, "classification", where)),
                breakdown=breakdown,
                reference_groups=tuple(references),
            )
        )
    indicators = []
    for where, code, entry in _coded_entries(raw, "indicators", path):
        indicators.append(
            Indicator(
                code=code,
                label_nl=str(require_field(entry, "label_nl", where)),
                sentence_nl=str(require_field(entry, "sentence_nl", where)),
                subject_nl=str(require_field(entry, "subject_nl", where)),
                unit=str(require_field(entry, "unit", where)),
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


def load_population_groups(config_dir: Path = CONFIG_DIR) -> PopulationGroups:
    """Read population_groups.yaml: the codes, and their Dutch labels and sentence wording."""
    groups, indicators = _parse_groups(load_yaml(GROUPS_FILE, config_dir), config_dir / GROUPS_FILE)
    return PopulationGroups(groups, indicators)
