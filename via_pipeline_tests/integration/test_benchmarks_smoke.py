"""Guards `make bench`: every benchmark runs once at the tiny size and reports what it measured.

No timing is asserted (CI's machine is shared and noisy); what is asserted is that each benchmark
completes, produces its table lines with values, and that the runner writes the report.
The import-tree parser, which names the module to blame for a slow code-location load, is
checked on a known input.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from benchmarks import run as runner
from benchmarks.bench_import import blame, parse_importtime
from benchmarks.common import SIZES, BenchResult
from benchmarks.phases import END, START, read_phases

TINY = SIZES["tiny"]
pytestmark = pytest.mark.slow


def _assert_measured(result: BenchResult) -> None:
    errors = [m for m in result.measurements if m.metric == "error"]
    assert not errors, "\n".join(result.details)
    assert result.measurements, f"{result.name} reported nothing"
    assert all(m.value.strip() for m in result.measurements)


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |     dagster._core
import time:       900 |       1000 |   dagster
import time:       300 |        300 |       numpy.core
import time:       700 |       1000 |     numpy
import time:      2000 |       3000 |   pandas
import time:        50 |       3050 |   via_pipeline.core.warehouse
import time:       100 |       4150 | via_pipeline.definitions
"""


def test_the_import_tree_names_our_module_and_what_it_pulled_in() -> None:
    roots = parse_importtime(IMPORTTIME)
    assert [root.name for root in roots] == ["via_pipeline.definitions"]
    assert [child.name for child in roots[0].children] == [
        "dagster",
        "pandas",
        "via_pipeline.core.warehouse",
    ]
    # pandas was imported by via_pipeline.definitions itself; dagster is the baseline.
    assert blame(roots, {"dagster", "dagster._core"}) == [
        ("via_pipeline.definitions", "pandas", 3.0)
    ]


SAMPLES = """\
mark 100.000 process start
100.010 40000
mark 100.500 cli start
101.000 102400
mark 102.000 ge_import start
102.500 307200
mark 103.000 ge_import end 307200
103.500 256000
104.500 204800
hwm 320000
"""


def test_the_peak_is_put_in_the_phase_that_held_it(tmp_path: Path) -> None:
    samples = tmp_path / "rss.txt"
    samples.write_text(SAMPLES)
    windows = [("cbs_tables_and_observations", 101.5, 104.0), ("letter__annex", 104.2, 104.4)]
    phases = read_phases(samples, windows)
    assert phases.peak_mib == {
        START: 100.0,
        "Great Expectations import": 300.0,
        "CBS ingest": 250.0,
        END: 200.0,
    }
    assert phases.holder == "Great Expectations import"
    assert phases.hwm_mib == 312.5
    assert phases.cli_start_s == pytest.approx(0.5)
    assert phases.first_step_s == pytest.approx(1.5)


@pytest.mark.parametrize("name", ["import", "bulk_load", "cbs_transfer"])
def test_light_benchmarks_run_at_tiny_size(name: str) -> None:
    _assert_measured(runner.run_benchmark(name, TINY))


def test_submissions_benchmark_counts_files_rows_and_memory() -> None:
    result = runner.run_benchmark(
        "submissions", dataclasses.replace(TINY, submission_files=5, submission_rows=500)
    )
    _assert_measured(result)
    assert "5 files, 500 action rows" in result.measurements[0].metric


@pytest.mark.postgres
def test_full_run_and_rerun_benchmarks_report_steps_requests_and_rows() -> None:
    full = runner.run_benchmark("full_run", TINY)
    _assert_measured(full)
    assert any("partners_intake" in line for line in full.details)
    held = next(m for m in full.measurements if m.metric.startswith("phase holding the peak"))
    assert "MiB" in held.value
    assert any(line.startswith("| CBS ingest |") for line in full.details)
    rerun = runner.run_benchmark("rerun", TINY)
    _assert_measured(rerun)
    metrics = [m.metric for m in rerun.measurements]
    assert "CBS data requests (TypedDataSet) in a rerun" in metrics


def test_the_runner_writes_the_report_with_machine_and_results(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    results = tmp_path / "results"
    code = runner.main(
        ["--only", "cbs_transfer", "--output", str(output), "--results-dir", str(results)]
    )
    assert code == 0
    report = output.read_text(encoding="utf-8")
    assert report.startswith("# Performance")
    assert "## Machine" in report and "python: CPython" in report
    assert "| cbs_transfer | table served |" in report
    assert (results / "cbs_transfer.json").exists()
    # Re-rendering from the saved results gives the same tables.
    again = tmp_path / "again.md"
    assert (
        runner.main(["--report-only", "--output", str(again), "--results-dir", str(results)]) == 0
    )
    assert "| cbs_transfer | table served |" in again.read_text(encoding="utf-8")
