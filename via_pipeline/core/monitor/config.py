"""monitor.yaml read into typed records: the baseline year, the reference groups and the
catch-up rule, with the Dutch words of the reason sentence (from population_groups.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from via_pipeline.core.cbs.population_groups import (
    GROUPS_FILE,
    NO_BREAKDOWN,
    PopulationGroups,
    load_population_groups,
)
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

CONFIG_FILE = "monitor.yaml"
# Gaps are differences of one-decimal CBS figures: anything below this is float noise.
TOLERANCE = 1e-9


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
    # population_groups.yaml: the breakdown of each breakdown group and its own reference
    # groups; a group not named here is a whole origin group (breakdown none).
    breakdowns: Mapping[str, str] = field(default_factory=dict)
    breakdown_references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def indicator_subject(self, indicator: str) -> str:
        return self.indicator_subjects.get(indicator, indicator)

    def group_sentence(self, group: str) -> str:
        return self.group_sentences.get(group, group)

    def comparisons(self, present_groups: Iterable[str]) -> list[Comparison]:
        """Which group is compared with which (monitor.comparisons), for the groups present.

        A whole origin group: with each of `reference_groups` but itself. A breakdown group:
        with the reference groups it declares only, so cells of two breakdowns never meet.
        """
        result: list[Comparison] = []
        for group in sorted(set(present_groups)):
            breakdown = self.breakdowns.get(group, NO_BREAKDOWN)
            if breakdown == NO_BREAKDOWN:
                references: tuple[str, ...] = self.reference_groups
            else:
                references = self.breakdown_references.get(group, ())
            result.extend(
                Comparison(group, reference, breakdown)
                for reference in references
                if reference != group
            )
        return result


@dataclass(frozen=True)
class Comparison:
    """One row of monitor.comparisons: `population_group` is compared with `reference_group`."""

    population_group: str
    reference_group: str
    breakdown: str


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
    breakdowns = {
        g.code: g.breakdown for g in wording.population_groups if g.breakdown != NO_BREAKDOWN
    }
    in_breakdown = [group for group in references if group in breakdowns]
    if in_breakdown:
        raise ConfigFileError(
            f"{source}: `reference_groups` are compared with every whole origin group; "
            f"{', '.join(in_breakdown)} is a breakdown cell ({GROUPS_FILE}), which is only a "
            "reference within its own breakdown"
        )
    return MonitorConfig(
        baseline_year=baseline_year,
        reference_groups=tuple(references),
        catch_up=CatchUpRule(narrowing_years=narrowing_years, max_gap_ratio=float(ratio)),
        indicator_subjects={i.code: i.subject_nl for i in wording.indicators},
        group_sentences={g.code: g.sentence_nl for g in wording.population_groups},
        breakdowns=breakdowns,
        breakdown_references={
            g.code: g.reference_groups for g in wording.population_groups if g.code in breakdowns
        },
    )


def load_monitor_config(config_dir: Path = CONFIG_DIR) -> MonitorConfig:
    return parse_monitor_config(
        load_yaml(CONFIG_FILE, config_dir),
        str(config_dir / CONFIG_FILE),
        load_population_groups(config_dir),
    )
