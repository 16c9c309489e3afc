"""Full `via-pipeline run` on the bundled CBS snapshot with the example submissions.

Each repetition is a first run in fresh folders (warehouse, Dagster home, inbox holding
examples/submissions, the faulty example included), in its own process under /usr/bin/time:
wall time and peak resident memory. The time of each step (asset or multi-asset) comes from the
Dagster event log of the run (STEP_START to STEP_SUCCESS/STEP_FAILURE).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    PYTHON,
    REPO_ROOT,
    BenchResult,
    BenchSize,
    clean_environment,
    load_conditions,
    run_process,
    spread,
)
from benchmarks.phases import PhasePeaks, phase_table, read_phases

YEAR = "2023"
EXAMPLES_DIR = REPO_ROOT / "examples" / "submissions"
TIME = "/usr/bin/time"


@dataclass
class RunMeasurement:
    wall_seconds: float
    peak_mb: float
    returncode: int
    run_id: str | None
    run_status: str
    step_seconds: dict[str, float] = field(default_factory=dict)
    step_assets: dict[str, list[str]] = field(default_factory=dict)
    step_windows: list[tuple[str, float, float]] = field(default_factory=list)
    output_tail: str = ""
    phases: PhasePeaks | None = None


# Targets of the performance issues (15, 25), with the figures measured before issue 25.
FIRST_RUN_TARGET_S, FIRST_RUN_BEFORE = 10.0, "10.5 s quiet"
PEAK_TARGET_MB, PEAK_BEFORE = 250, "420 MiB"
UNCHANGED_TARGET_S, UNCHANGED_BEFORE = 5.0, "16.5 s"
UNCHANGED_TARGET_RATIO = 0.35


def fill_inbox(inbox: Path) -> list[str]:
    """Copy the example submissions (faulty ones too) into the inbox; returns their names."""
    inbox.mkdir(parents=True, exist_ok=True)
    names = []
    for path in sorted(EXAMPLES_DIR.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".csv", ".xlsx"):
            shutil.copy2(path, inbox / path.name)
            names.append(path.relative_to(EXAMPLES_DIR).as_posix())
    return names


def pipeline_environment(root: Path, **overrides: str) -> dict[str, str]:
    settings = {
        "VIA_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
    }
    settings.update(overrides)
    return clean_environment(**settings)


def run_cli(root: Path, env: dict[str, str], year: str = YEAR) -> RunMeasurement:
    """`via-pipeline run --year` in a fresh process, timed by /usr/bin/time, then its event log read."""
    number = len(list(root.glob("time-*")))
    timing, samples = root / f"time-{number}.txt", root / f"rss-{number}.txt"
    # The CLI under benchmarks/phase_probe.py: resident memory sampled for the peak by phase.
    command = [PYTHON, "-m", "benchmarks.phase_probe", str(samples), "--", "run", "--year", year]
    if Path(TIME).exists():
        command = [TIME, "-f", "%e %M", "-o", str(timing), *command]
    completed = run_process(command, env=env, check=False, timeout=3600)
    wall, peak = float("nan"), float("nan")
    if timing.exists():
        fields = timing.read_text().split()
        wall, peak = float(fields[-2]), int(fields[-1]) / 1024
    measurement = RunMeasurement(
        wall,
        peak,
        completed.returncode,
        None,
        "unknown",
        output_tail=(completed.stdout + completed.stderr)[-2500:],
    )
    read_event_log(Path(env["DAGSTER_HOME"]), measurement)
    if samples.exists():
        measurement.phases = read_phases(samples, measurement.step_windows)
    return measurement


def read_event_log(dagster_home: Path, measurement: RunMeasurement) -> None:
    """Step times and materialised assets of the newest run on the instance at `dagster_home`."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    try:
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs(limit=1)
            if not runs:
                return
            run = runs[0]
            measurement.run_id = run.run_id
            measurement.run_status = run.status.value
            started: dict[str, float] = {}
            assets: dict[str, list[str]] = defaultdict(list)
            for entry in instance.all_logs(run.run_id):
                event = entry.dagster_event
                if event is None or event.step_key is None:
                    continue
                kind = event.event_type_value
                if kind == "STEP_START":
                    started[event.step_key] = entry.timestamp
                elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
                    measurement.step_seconds[event.step_key] = (
                        entry.timestamp - started[event.step_key]
                    )
                    measurement.step_windows.append(
                        (event.step_key, started[event.step_key], entry.timestamp)
                    )
                    if kind == "STEP_FAILURE":
                        assets[event.step_key].append("(failed)")
                elif kind == "ASSET_MATERIALIZATION" and event.asset_key is not None:
                    assets[event.step_key].append(event.asset_key.to_user_string())
            measurement.step_assets = {key: sorted(set(value)) for key, value in assets.items()}
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous


def step_table(measurements: list[RunMeasurement]) -> list[str]:
    steps: dict[str, list[float]] = defaultdict(list)
    assets: dict[str, list[str]] = {}
    for measurement in measurements:
        for step, seconds in measurement.step_seconds.items():
            steps[step].append(seconds)
        assets.update(measurement.step_assets)
    lines = ["| step | assets materialised | median s | share of the run |", "|---|---|---:|---:|"]
    wall = statistics.median(m.wall_seconds for m in measurements)
    for step, values in sorted(steps.items(), key=lambda item: -statistics.median(item[1])):
        median_s = statistics.median(values)
        lines.append(
            f"| `{step}` | {', '.join(assets.get(step, [])) or '-'} | {median_s:.2f} | {median_s / wall:.0%} |"
        )
    return lines


def run(size: BenchSize) -> BenchResult:
    result = BenchResult("full_run", "Full run on the bundled snapshot")
    measurements: list[RunMeasurement] = []
    unchanged: list[RunMeasurement] = []
    with tempfile.TemporaryDirectory(prefix="via_bench_run_") as folder:
        for repetition in range(size.full_run_repeat):
            root = Path(folder) / f"run{repetition}"
            examples = fill_inbox(root / "data" / "inbox")
            measurements.append(run_cli(root, pipeline_environment(root)))
            # The same command again with nothing changed, in the same session.
            unchanged.append(run_cli(root, pipeline_environment(root)))
    walls = [m.wall_seconds for m in measurements]
    peaks = [m.peak_mb for m in measurements]
    again = [m.wall_seconds for m in unchanged]
    succeeded = sum(1 for m in [*measurements, *unchanged] if m.returncode == 0)
    first_s, peak_mb = statistics.median(walls), statistics.median(peaks)
    again_s = statistics.median(again)
    result.add(
        f"first `via-pipeline run --year {YEAR}`, wall time (fresh folders each)",
        spread(walls),
        f"<= {FIRST_RUN_TARGET_S:.0f} s (before: {FIRST_RUN_BEFORE})",
        first_s <= FIRST_RUN_TARGET_S,
    )
    result.add(
        "peak resident memory of a first run",
        f"{peak_mb:.0f} MiB (max {max(peaks):.0f})",
        f"<= {PEAK_TARGET_MB} MB (before: {PEAK_BEFORE})",
        peak_mb <= PEAK_TARGET_MB,
    )
    phases = [m.phases for m in measurements if m.phases is not None]
    if phases:
        holders = sorted({p.holder for p in phases})
        result.add(
            "phase holding the peak (sampled every 20 ms)",
            f"{', '.join(holders)}: {statistics.median(max(p.peak_mib.values()) for p in phases):.0f} MiB",
        )
        result.add(
            "process start to the first step (CLI imports, plan, launch)",
            spread([p.first_step_s for p in phases]),
        )
    result.add(
        "the same run again, nothing changed: wall time",
        spread(again),
        f"<= {UNCHANGED_TARGET_S:.0f} s (before: {UNCHANGED_BEFORE})",
        again_s <= UNCHANGED_TARGET_S,
    )
    result.add(
        "no-change run / first run (medians)",
        f"{again_s / first_s:.2f}x",
        f"<= {UNCHANGED_TARGET_RATIO}x",
        again_s / first_s <= UNCHANGED_TARGET_RATIO,
    )
    result.add(
        "runs that succeeded (first and again)",
        f"{succeeded} of {2 * len(measurements)}",
        "all",
        succeeded == 2 * len(measurements),
    )
    result.details += [
        f"Inbox: {', '.join(examples)} (examples/submissions; `met_fouten/` holds the faulty one). "
        f"DuckDB warehouse, VIA_CBS_SOURCE=snapshot, {len(measurements)} repetition(s); {load_conditions()}.",
        "Per step, from the Dagster event log (medians over the repetitions):",
        "",
        *step_table(measurements),
    ]
    if phases:
        result.details += [
            "",
            "Resident memory by phase of the first run (benchmarks/phase_probe.py samples; medians):",
            "",
            *phase_table(phases),
        ]
    failed = [m for m in measurements if m.returncode != 0]
    if failed:
        result.details += [
            "",
            "Output of a failed run (tail):",
            "",
            "```",
            failed[0].output_tail,
            "```",
        ]
    return result
