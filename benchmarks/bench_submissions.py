"""Submissions at scale: many partner files validated and loaded, rows per second and memory.

Synthetic partners (the registry is data: 400 partners x 5 reporting years = 2,000 partner-years)
each send one CSV file of equal size, about 1% of them with an error (rejected, with feedback).
A worker process does per year what the partners intake asset does: archive each file, check it
and record it (`core.partners.intake.take_in`), then run the Great Expectations suite over the
year's stored actions (`validate_frame`, as the blocking check does). It reports per phase the
time and the peak resident memory (the peak is reset between phases through /proc/self/clear_refs).
Run at two file counts with the same rows per file: the intake's peak must not grow with the count.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    PYTHON,
    BenchResult,
    BenchSize,
    clean_environment,
    load_conditions,
    run_process,
)

YEARS = (2022, 2023, 2024, 2025, 2026)
REJECTED_EVERY = 100  # one file in a hundred breaks a rule
MEMORY_GROWTH_LIMIT = 1.15  # intake peak at the large count vs the small one


def partner_ids(count: int) -> list[str]:
    return [f"partner_{number:04d}" for number in range(count)]


def write_inbox(inbox: Path, files: int, rows_per_file: int) -> int:
    """`files` CSV submissions (partners x years); returns the number of action rows written."""
    from via_pipeline_tests.support.partners import csv_bytes, valid_rows

    inbox.mkdir(parents=True, exist_ok=True)
    partners = partner_ids(max(1, files // len(YEARS)))
    written = rows = 0
    for year in YEARS:
        for partner in partners:
            if written == files:
                break
            content = valid_rows(partner, year, rows_per_file)
            if written % REJECTED_EVERY == REJECTED_EVERY - 1:
                content[len(content) // 2][5] = "onbekend"  # not a status
            delimiter = ";" if written % 2 else ","
            (inbox / f"{partner}_{year}.csv").write_bytes(csv_bytes(content, delimiter=delimiter))
            written += 1
            rows += len(content)
    return rows


def _reset_peak() -> None:
    # Linux: writing 5 resets the peak resident set (VmHWM) of this process.
    Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(inbox: Path, data_dir: Path, url: str, partner_count: int) -> dict[str, Any]:
    """The intake and the suite, timed per phase, in this (fresh) process."""
    from via_pipeline.core.partners.archive import archive_bytes
    from via_pipeline.core.partners.intake import intake_year, take_in
    from via_pipeline.core.partners.registry import Partner, load_themes
    from via_pipeline.core.partners.rules import SUITE_NAME, submission_suite, suite_expectations
    from via_pipeline.core.quality.expectations import validate_frame
    from via_pipeline.core.warehouse import WarehouseStore

    store = WarehouseStore(url)
    store.migrate()
    partners = tuple(
        Partner(partner_id, f"Partner {partner_id}", "company", YEARS[0], None)
        for partner_id in partner_ids(partner_count)
    )
    themes = load_themes()
    archive_dir, feedback_dir = data_dir / "archive", data_dir / "feedback"
    files = sorted(inbox.iterdir())
    baseline_mb = _peak_mb()

    _reset_peak()
    per_file: list[float] = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for year in YEARS:
        for path in files:
            if intake_year(path.name, list(YEARS)) != year:
                continue
            file_started = time.perf_counter()
            archived = archive_bytes(path.read_bytes(), path.name, archive_dir)
            outcome = take_in(store, archived, feedback_dir, partners, themes, list(YEARS))
            per_file.append(time.perf_counter() - file_started)
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    intake_seconds = time.perf_counter() - started
    intake_peak = _peak_mb()

    _reset_peak()
    suite_seconds = 0.0
    read_seconds = 0.0
    suite_failures = 0
    for year in YEARS:
        read_started = time.perf_counter()
        actions = store.read_table("partners.actions", {"reporting_year": year})
        frame = actions.astype(object).where(actions.notna(), None)
        read_seconds += time.perf_counter() - read_started
        rules = submission_suite([p.partner_id for p in partners], [t.code for t in themes], year)
        suite_started = time.perf_counter()
        result = validate_frame(frame, SUITE_NAME, suite_expectations(rules))
        suite_seconds += time.perf_counter() - suite_started
        suite_failures += 0 if result.success else 1
        del actions, frame
    suite_peak = _peak_mb()
    return {
        "files": len(files),
        "statuses": statuses,
        "stored_actions": store.count("partners.actions"),
        "rejection_rows": store.count("partners.rejections"),
        "intake_seconds": intake_seconds,
        "per_file_median": statistics.median(per_file) if per_file else 0.0,
        "read_seconds": read_seconds,
        "suite_seconds": suite_seconds,
        "suite_failures": suite_failures,
        "baseline_mb": baseline_mb,
        "intake_peak_mb": intake_peak,
        "suite_peak_mb": suite_peak,
    }


def measure(files: int, rows_per_file: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="via_bench_submissions_") as folder:
        root = Path(folder)
        rows = write_inbox(root / "inbox", files, rows_per_file)
        url = f"duckdb:///{root / 'warehouse.duckdb'}"
        partner_count = max(1, files // len(YEARS))
        completed = run_process(
            [
                PYTHON,
                "-m",
                "benchmarks.bench_submissions",
                str(root / "inbox"),
                str(root / "data"),
                url,
                str(partner_count),
            ],
            env=clean_environment(VIA_DATA_DIR=str(root / "data")),
            timeout=7200,
        )
        outcome: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
        outcome["rows"] = rows
        return outcome


def run(size: BenchSize) -> BenchResult:
    result = BenchResult("submissions", "Submissions at scale")
    rows_per_file = max(1, size.submission_rows // size.submission_files)
    small = measure(size.submission_small_files, rows_per_file)
    large = measure(size.submission_files, rows_per_file)
    expected_accepted = large["files"] - large["files"] // REJECTED_EVERY
    if large["statuses"].get("accepted") != expected_accepted:
        raise RuntimeError(f"expected {expected_accepted} accepted files, got {large['statuses']}")

    for run_ in (large, small):
        run_["total_seconds"] = (
            run_["intake_seconds"] + run_["read_seconds"] + run_["suite_seconds"]
        )
        run_["ge_share"] = (
            run_["suite_seconds"] / run_["total_seconds"] if run_["total_seconds"] else 0.0
        )
    result.add(
        f"{large['files']:,} files, {large['rows']:,} action rows: validated and loaded",
        f"{large['total_seconds']:.1f} s: {large['rows'] / large['total_seconds']:,.0f} rows/s "
        f"(intake {large['intake_seconds']:.1f} s, median {large['per_file_median'] * 1000:.0f} ms/file; "
        f"suite {large['suite_seconds']:.1f} s)",
    )
    result.add("Great Expectations share of the time (import included)", f"{large['ge_share']:.1%}")
    growth = large["intake_peak_mb"] / small["intake_peak_mb"]
    result.add(
        f"peak memory of the intake: {small['files']:,} vs {large['files']:,} files ({rows_per_file} rows each)",
        f"{small['intake_peak_mb']:.0f} MiB vs {large['intake_peak_mb']:.0f} MiB ({growth:.2f}x)",
        f"<= {MEMORY_GROWTH_LIMIT}x (no growth with the file count)",
        growth <= MEMORY_GROWTH_LIMIT if not size.is_tiny else None,
    )
    result.add(
        f"peak memory of the year suite: {small['files']:,} vs {large['files']:,} files",
        f"{small['suite_peak_mb']:.0f} MiB vs {large['suite_peak_mb']:.0f} MiB "
        f"(grows with a year's rows: {small['rows'] // len(YEARS):,} vs {large['rows'] // len(YEARS):,})",
    )
    result.details += [
        f"DuckDB warehouse in a temporary folder; each file count in a fresh worker process; {load_conditions()}.",
        f"Files: one CSV per partner-year ({rows_per_file} rows; `,` and `;` alternating), one in "
        f"{REJECTED_EVERY} with a bad status (rejected whole, with feedback files).",
        "",
        "| files | rows | accepted / rejected | intake s | suite s (GE) | rows/s | intake peak MiB | suite peak MiB |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run_ in (small, large):
        result.details.append(
            f"| {run_['files']:,} | {run_['rows']:,} | {run_['statuses'].get('accepted', 0)} / "
            f"{run_['statuses'].get('rejected', 0)} | {run_['intake_seconds']:.1f} | {run_['suite_seconds']:.1f} | "
            f"{run_['rows'] / run_['total_seconds']:,.0f} | {run_['intake_peak_mb']:.0f} | {run_['suite_peak_mb']:.0f} |"
        )
    result.details.append(
        f"\nWorker start (imports, migrations) before the intake: {large['baseline_mb']:.0f} MiB resident."
    )
    return result


if __name__ == "__main__":
    inbox_arg, data_arg, url_arg, partners_arg = sys.argv[1:5]
    os.environ.setdefault("VIA_DATA_DIR", data_arg)
    print(json.dumps(worker(Path(inbox_arg), Path(data_arg), url_arg, int(partners_arg))))
