"""How the run output says a non-blocking check's warnings: "warning" instead of FAILED while the
run goes on, then one line per finding (the check's `warning_lines` metadata, already capped)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from via_pipeline.core.quality.plausibility_checks import WARNING_LINES_KEY

if TYPE_CHECKING:
    import dagster as dg


def is_warning(evaluation: dg.AssetCheckEvaluation) -> bool:
    """A check of severity WARN: what it found is shown, and nothing waits on it."""
    return bool(evaluation.severity.value == "WARN")


def check_verdict(evaluation: dg.AssetCheckEvaluation) -> str:
    if evaluation.passed:
        return "passed"
    return "warning" if is_warning(evaluation) else "FAILED"


def warning_summary(evaluations: Iterable[dg.AssetCheckEvaluation]) -> list[str]:
    """For each check that warned: a heading line, then its warning lines indented."""
    lines: list[str] = []
    for evaluation in evaluations:
        if evaluation.passed or not is_warning(evaluation):
            continue
        entry = evaluation.metadata.get(WARNING_LINES_KEY)
        found = [line for line in str(entry.value).splitlines() if line] if entry else []
        lines.append(
            f"warning: {evaluation.asset_key.to_user_string()} {evaluation.check_name}"
            + (":" if found else " (see the check's page)")
        )
        lines.extend(f"  {line}" for line in found)
    return lines
