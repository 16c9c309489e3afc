"""Telling a gone (or reused) run worker from a live one: /proc start ticks, tags, engine events."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from via_pipeline.core.runs.dead_runs import (
    HOST_TAG,
    PID_TAG,
    START_TICKS_TAG,
    STARTED_BY_TAG,
    Worker,
    launched_worker_pid,
    process_start_ticks,
    started_by,
    worker_from_tags,
    worker_is_gone,
    worker_tags,
)
from via_pipeline.core.runs.lease import this_host


def fake_proc(tmp_path: Path, pid: int, comm: str, start_ticks: int, state: str = "S") -> Path:
    # proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    # utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize ...
    fields = [state, "1", "1", "1", "0", "-1", "4194304"] + ["0"] * 10 + ["1", "0"]
    line = f"{pid} ({comm}) {' '.join(fields)} {start_ticks} 3133440 378\n"
    (tmp_path / str(pid)).mkdir()
    (tmp_path / str(pid) / "stat").write_text(line, encoding="ascii")
    return tmp_path


def test_start_ticks_are_field_22_even_when_the_command_name_has_spaces_and_parens(
    tmp_path: Path,
) -> None:
    proc = fake_proc(tmp_path, 4242, "dagster ) (api 1", 86156)
    assert process_start_ticks(4242, proc) == 86156
    assert process_start_ticks(4243, proc) is None
    fake_proc(tmp_path, 4244, "dagster", 86200, state="Z")  # ended, not yet reaped
    assert process_start_ticks(4244, proc) is None


def test_start_ticks_of_real_processes() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ticks = process_start_ticks(child.pid)
        mine = process_start_ticks(os.getpid())
        assert ticks is not None and mine is not None and ticks >= mine
        assert process_start_ticks(child.pid) == ticks  # stable while it lives
    finally:
        child.kill()
        child.wait()
    assert process_start_ticks(child.pid) is None


@pytest.mark.parametrize(
    ("worker", "ticks_now", "gone"),
    [
        (Worker("here", 10, 500), None, True),  # no such process
        (Worker("here", 10, 500), 900, True),  # the pid is another process now
        (Worker("here", 10, 500), 500, False),  # the worker itself
        (Worker("here", 10, None), 900, False),  # alive, start unknown: cannot tell
        (Worker("here", 10, None), None, True),  # gone, start unknown
        (Worker("elsewhere", 10, 500), None, False),  # another host: never judged here
    ],
)
def test_worker_is_gone_when_its_pid_is_gone_or_reused_on_this_host(
    worker: Worker, ticks_now: int | None, gone: bool
) -> None:
    assert worker_is_gone(worker, "here", lambda pid: ticks_now) is gone


def test_worker_tags_round_trip_and_record_this_process() -> None:
    tags = worker_tags()
    assert tags == {
        HOST_TAG: this_host(),
        PID_TAG: str(os.getpid()),
        START_TICKS_TAG: str(process_start_ticks(os.getpid())),
    }
    assert worker_from_tags(tags) == Worker(
        this_host(), os.getpid(), process_start_ticks(os.getpid())
    )
    # Runs tagged before start ticks were recorded, and runs without a worker tag.
    assert worker_from_tags({HOST_TAG: "h", PID_TAG: "77"}) == Worker("h", 77, None)
    assert worker_from_tags({PID_TAG: "77"}) is None
    assert worker_from_tags({HOST_TAG: "h", PID_TAG: "0"}) is None
    assert worker_from_tags({HOST_TAG: "h", PID_TAG: "x"}) is None


def test_the_worker_pid_of_a_launched_run_comes_from_dagsters_engine_event() -> None:
    messages = [
        "Executing steps in process (pid: 99)",
        "Started process for run (pid: 12671).",
    ]
    assert launched_worker_pid(messages) == 12671
    assert launched_worker_pid(["Executing steps in process (pid: 99)"]) is None


@pytest.mark.parametrize(
    ("tags", "who"),
    [
        ({STARTED_BY_TAG: "cli"}, "cli"),
        ({"dagster/schedule_name": "cbs_refresh_schedule"}, "schedule:cbs_refresh_schedule"),
        ({"dagster/sensor_name": "partners_inbox_sensor"}, "sensor:partners_inbox_sensor"),
        ({"dagster/backfill": "abcdefgh"}, "backfill:abcdefgh"),
        ({}, "ui"),
    ],
)
def test_started_by(tags: dict[str, str], who: str) -> None:
    assert started_by(tags) == who
