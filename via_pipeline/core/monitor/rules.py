"""The structural catch-up rule read from one series' figures (the SQL verdict must agree)."""

from __future__ import annotations

from dataclasses import dataclass

from via_pipeline.core.monitor.config import CatchUpRule


@dataclass(frozen=True)
class TrendFigures:
    """What the trend SQL computed for one series; the input of the reason sentence."""

    indicator: str
    population_group: str
    reference_group: str
    first_year: int
    last_year: int
    # None: the series has no gap in its table's baseline year (an empty CBS cell).
    gap_first_pp: float | None
    gap_last_pp: float
    years_narrowing: int
    years_compared: int
    # Only needed to explain a missing baseline gap.
    first_year_with_gap: int | None = None
    group_has_baseline_figure: bool = True
    reference_has_baseline_figure: bool = True

    @property
    def verdict_possible(self) -> bool:
        """A verdict measures from the baseline gap; without it none can be given."""
        return self.gap_first_pp is not None


@dataclass(frozen=True)
class CatchUpConditions:
    narrowing_met: bool
    ratio_met: bool

    @property
    def structural(self) -> bool:
        return self.narrowing_met and self.ratio_met


def catch_up_conditions(figures: TrendFigures, rule: CatchUpRule) -> CatchUpConditions:
    """The two conditions of the rule, read from the figures (the SQL verdict must agree).

    Only for a series with a baseline gap (`figures.verdict_possible`).
    """
    if figures.gap_first_pp is None:
        raise ValueError(
            f"{figures.indicator} {figures.population_group} vs {figures.reference_group}: "
            f"no gap in {figures.first_year}, so no catch-up conditions to read"
        )
    narrowing_met = (
        figures.years_compared == rule.narrowing_years
        and figures.years_narrowing == rule.narrowing_years
    )
    ratio_met = abs(figures.gap_last_pp) <= rule.max_gap_ratio * abs(figures.gap_first_pp) + (
        rule.tolerance
    )
    return CatchUpConditions(narrowing_met=narrowing_met, ratio_met=ratio_met)
