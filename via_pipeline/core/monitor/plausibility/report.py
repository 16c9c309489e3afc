"""The findings as readers see them: warning lines for the run output (capped), a Markdown table
for the check's page, and a suite result so quality.validation_results records them like every
other check's."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from via_pipeline.core.files.markdown import markdown_frame
from via_pipeline.core.monitor.plausibility.findings import Finding
from via_pipeline.core.quality.expectations import ExpectationOutcome, SuiteResult
from via_pipeline.core.quality.plausibility_checks import PlausibilityCheck

# One line per finding in the run output, at most this many per check.
WARNING_LINES_SHOWN = 10
EXAMPLES_KEPT = 10
COLUMNS = ["tabel", "maatstaf", "groep", "jaren", "waarden", "bevinding"]


def warning_lines(findings: Sequence[Finding], shown: int = WARNING_LINES_SHOWN) -> list[str]:
    """One line per finding, the first `shown`, then "and N more" when there are more."""
    lines = [finding.text_nl for finding in findings[:shown]]
    if len(findings) > shown:
        lines.append(f"and {len(findings) - shown} more (all of them on the check's page)")
    return lines


def findings_markdown(findings: Sequence[Finding]) -> str:
    """Every finding as a row of a Markdown table; a sentence when there is none."""
    if not findings:
        return "Geen bevindingen."
    return markdown_frame(pd.DataFrame([f.row() for f in findings], columns=COLUMNS))


def findings_suite_result(check: PlausibilityCheck, findings: Sequence[Finding]) -> SuiteResult:
    examples = tuple(finding.text_nl for finding in findings[:EXAMPLES_KEPT])
    outcome = ExpectationOutcome(
        expectation=check.expectation,
        column=None,
        success=not findings,
        unexpected_count=len(findings),
        examples=examples,
        details="; ".join(examples) if examples else "no findings",
    )
    return SuiteResult(suite_name=check.name, outcomes=(outcome,))
