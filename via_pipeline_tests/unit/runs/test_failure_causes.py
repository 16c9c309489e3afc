"""The one line a failure ends in: the innermost error, without class names or Errno noise."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from via_pipeline.core.runs.causes import exception_cause, plain_cause, root_cause_message
from via_pipeline.core.runs.lease import Writer
from via_pipeline.core.warehouse import WarehouseError

DUCKDB_LOCK = (
    'IO Error: Could not set lock on file "/data/warehouse.duckdb": Conflicting lock is held in '
    "/usr/bin/python3.11 (PID 10748) by user via. See also "
    "https://duckdb.org/docs/current/connect/concurrency"
)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "OSError: [Errno 28] No space left on device: '/data/archive/abu_2023.csv'\n",
            "No space left on device: /data/archive/abu_2023.csv",
        ),
        (
            "PermissionError: [Errno 13] Permission denied: '/data/output/2023'",
            "Permission denied: /data/output/2023",
        ),
        ("OSError: [Errno 30] Read-only file system", "Read-only file system"),
        (f"duckdb.duckdb.IOException: {DUCKDB_LOCK}", "the warehouse is locked by process 10748"),
        (
            f"via_pipeline.core.warehouse.WarehouseError: replacing rows of partners.registry "
            f"failed: {DUCKDB_LOCK}",
            "the warehouse is locked by process 10748",
        ),
        ("RuntimeError: CBS did not answer\n  more detail", "CBS did not answer"),
        # A message of our own with a colon keeps its first word.
        ("CBS: table 82809NED has no period 2023", "CBS: table 82809NED has no period 2023"),
        ("", "unknown error"),
        (
            "dagster._core.errors.DagsterExecutionInterruptedError",
            "interrupted (Ctrl-C, SIGINT or SIGTERM)",
        ),
    ],
)
def test_plain_cause(message: str, line: str) -> None:
    assert plain_cause(message) == line


@dataclass
class FakeErrorInfo:
    message: str
    cause: FakeErrorInfo | None = None


def test_root_cause_skips_dagster_wrappers() -> None:
    error = FakeErrorInfo(
        "dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while "
        'executing op "partners_intake":\n',
        FakeErrorInfo(
            "OSError: [Errno 28] No space left on device: '/data/archive/x'\n",
        ),
    )
    assert root_cause_message(error) == "No space left on device: /data/archive/x"


def test_root_cause_keeps_our_own_error_that_names_the_table() -> None:
    error = FakeErrorInfo(
        "dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while "
        'executing op "monitor__gaps":\n',
        FakeErrorInfo(
            "via_pipeline.core.warehouse.WarehouseError: writing 67 rows to monitor.gaps "
            "failed: Constraint Error: NOT NULL constraint failed: gaps.indicator\n",
            FakeErrorInfo(
                "duckdb.duckdb.ConstraintException: Constraint Error: NOT NULL constraint "
                "failed: gaps.indicator\n"
            ),
        ),
    )
    assert root_cause_message(error) == (
        "writing 67 rows to monitor.gaps failed: Constraint Error: NOT NULL constraint failed: "
        "gaps.indicator"
    )


def test_exception_cause_follows_raise_from() -> None:
    try:
        try:
            raise OSError(28, "No space left on device", "/data/feedback/abu.txt")
        except OSError as inner:
            raise WarehouseError("writing feedback failed") from inner
    except WarehouseError as outer:
        assert exception_cause(outer) == "No space left on device: /data/feedback/abu.txt"
    assert exception_cause(KeyError()) == "KeyError"


@pytest.mark.parametrize(
    ("writer", "described"),
    [
        (
            Writer(pid=10748, run_id="3f24ab12-5c4a-4ad9-99aa-1aaee756398d"),
            "run 3f24ab12… (pid 10748)",
        ),
        (Writer(pid=10748, run_id="via-pipeline migrate"), "via-pipeline migrate (pid 10748)"),
        (Writer(pid=10748), "process 10748"),
        (Writer(), "another process"),
    ],
)
def test_the_lease_holder_is_named_as_operators_see_it(writer: Writer, described: str) -> None:
    assert writer.describe() == described
