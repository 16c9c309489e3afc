"""Resident memory of a run by phase: benchmarks/phase_probe.py's samples and marks, laid over
the run's step windows from the Dagster event log.

A sample belongs to the innermost thing running at its time: importing Great Expectations,
making its context, validating a suite, else the step (grouped by domain), else the start
(imports, planning, launching) or the end (after the last step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MARK_PHASES = {
    "ge_import": "Great Expectations import",
    "ge_context": "Great Expectations context",
    "validation": "validation (GE suites)",
}
# Innermost first.
MARK_ORDER = ("ge_import", "ge_context", "validation")
STEP_GROUPS = (
    ("cbs", "CBS ingest"),
    ("monitor", "monitor"),
    ("partners", "partner intake"),
    ("letter", "letter"),
)
START, END = "start (imports, plan, launch)", "end (after the last step)"
PHASE_ORDER = (
    START,
    "CBS ingest",
    "partner intake",
    "monitor",
    "letter",
    *MARK_PHASES.values(),
    END,
)


@dataclass
class PhasePeaks:
    peak_mib: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    hwm_mib: float = 0.0
    cli_start_s: float = 0.0  # process start to the CLI's main (interpreter + CLI imports)
    first_step_s: float = 0.0  # process start to the first STEP_START of the run

    @property
    def holder(self) -> str:
        return max(self.peak_mib, key=lambda phase: self.peak_mib[phase]) if self.peak_mib else "-"


def step_group(step_key: str) -> str:
    for prefix, name in STEP_GROUPS:
        if step_key.startswith(prefix):
            return name
    return step_key


def read_phases(samples: Path, step_windows: Sequence[tuple[str, float, float]]) -> PhasePeaks:
    rss: list[tuple[float, int]] = []
    marks: dict[str, list[list[float]]] = {name: [] for name in MARK_PHASES}
    result = PhasePeaks()
    started: dict[str, float] = {}
    for line in samples.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts[0] == "hwm":
            result.hwm_mib = int(parts[1]) / 1024
        elif parts[0] == "mark":
            at, name, edge = float(parts[1]), parts[2], parts[3]
            if name in ("process", "cli"):
                started[name] = at
            elif edge == "start":
                marks[name].append([at, float("inf")])
            elif marks[name]:
                marks[name][-1][1] = at
        else:
            rss.append((float(parts[0]), int(parts[1])))
    if "process" in started and "cli" in started:
        result.cli_start_s = started["cli"] - started["process"]
    first_step = min((start for _, start, _ in step_windows), default=float("inf"))
    last_step = max((end for _, _, end in step_windows), default=float("-inf"))
    if "process" in started and step_windows:
        result.first_step_s = first_step - started["process"]
    previous: float | None = None
    for at, kib in rss:
        phase = _phase_at(at, marks, step_windows, first_step, last_step)
        result.peak_mib[phase] = max(result.peak_mib.get(phase, 0.0), kib / 1024)
        if previous is not None:
            result.seconds[phase] = result.seconds.get(phase, 0.0) + (at - previous)
        previous = at
    return result


def _phase_at(
    at: float,
    marks: dict[str, list[list[float]]],
    step_windows: Sequence[tuple[str, float, float]],
    first_step: float,
    last_step: float,
) -> str:
    for name in MARK_ORDER:
        if any(start <= at <= end for start, end in marks[name]):
            return MARK_PHASES[name]
    for step, start, end in step_windows:
        if start <= at <= end:
            return step_group(step)
    if at < first_step:
        return START
    if at > last_step:
        return END
    return "between steps"


def phase_table(peaks: Sequence[PhasePeaks]) -> list[str]:
    """Median over the repetitions of each phase's peak and time."""
    import statistics

    phases = [p for p in PHASE_ORDER if any(p in run.peak_mib for run in peaks)]
    phases += sorted({p for run in peaks for p in run.peak_mib} - set(phases))
    lines = ["| phase | peak RSS MiB | seconds |", "|---|---:|---:|"]
    for phase in phases:
        peak = statistics.median(run.peak_mib[phase] for run in peaks if phase in run.peak_mib)
        secs = statistics.median(run.seconds.get(phase, 0.0) for run in peaks)
        lines.append(f"| {phase} | {peak:.0f} | {secs:.1f} |")
    return lines
