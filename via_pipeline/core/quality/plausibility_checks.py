"""The plausibility warnings on monitor.indicators, declared as data: light (no pandas), so the
code location declares one non-blocking check per rule without importing core.monitor, which
finds them (core/monitor/plausibility/)."""

from dataclasses import dataclass

# The check metadata key whose text the run output prints as warning lines (cli/instance.py).
WARNING_LINES_KEY = "warning_lines"


@dataclass(frozen=True)
class PlausibilityCheck:
    name: str
    rule: str  # the rule in core/monitor/plausibility/findings.py
    expectation: str


PLAUSIBILITY_CHECKS = (
    PlausibilityCheck(
        name="year_to_year_moves_within_limits",
        rule="year_move",
        expectation=(
            "no figure moves more than monitor.yaml plausibility.max_year_move from one year to "
            "the next (same table, indicator and group)"
        ),
    ),
    PlausibilityCheck(
        name="rates_within_plausible_bounds",
        rule="rate_bounds",
        expectation="every rate lies within monitor.yaml plausibility.rate_bounds",
    ),
)
