"""Runs left STARTED (or STARTING) by a worker process that is gone, told from what they recorded.

A run's worker is known by its host, its pid and the process's start time in clock ticks since
boot (`/proc/<pid>/stat`, field 22). The pid alone is not enough: pids come round (pid_max is
32768 on this VM), and a pid that exists again with another start tick is another process. Start
ticks are compared with start ticks, never turned into times through `/proc/stat`'s btime (on a
VM that is minutes off the wall clock).

Where a run's worker is recorded:
- the run's tags `via/host`, `via/pid`, `via/pid_start_ticks`: written at launch by
  `via-pipeline run`, whose own process executes the run;
- otherwise Dagster's engine event `Started process for run (pid: N).`, which the worker of every
  run launched by a run launcher writes (pid only). Under the DefaultRunLauncher that worker runs
  on the machine of the code server, which is also where sensors are evaluated; the dead-runs
  sensor (defs/orchestration/dead_runs.py) then records host and start ticks in the tags above
  the first time it sees the worker alive.
Runs of another host are never judged here: their pids mean nothing on this machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.runs.lease import this_host

HOST_TAG = "via/host"
PID_TAG = "via/pid"
START_TICKS_TAG = "via/pid_start_ticks"
STARTED_BY_TAG = "via/started_by"
# Dagster's engine event from a launched run's worker (dagster/_cli/api.py, _grpc/impl.py).
WORKER_STARTED = re.compile(r"^Started process for run \(pid: (?P<pid>\d+)\)\.$")
PROC = Path("/proc")
_STAT_START_TICKS = 22  # field number in proc(5), counting from 1
_STAT_FIRST_AFTER_COMM = 3  # fields from "state" on follow the parenthesised command name
_ENDED_STATES = {"Z", "X"}  # zombie, dead (proc(5), field 3)


@dataclass(frozen=True)
class Worker:
    """The process that executes a run: where, which pid, and when it started (if known)."""

    host: str
    pid: int
    start_ticks: int | None = None


def process_start_ticks(pid: int, proc: Path = PROC) -> int | None:
    """When process `pid` started, in clock ticks since boot; None when there is no such process
    or it has ended and waits to be reaped (a zombie: a killed worker whose parent is gone too
    stays one where nothing reaps orphans, e.g. in a container without an init)."""
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError, NotADirectoryError):
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    fields = stat[stat.rindex(")") + 1 :].split()
    if fields[0] in _ENDED_STATES:
        return None
    return int(fields[_STAT_START_TICKS - _STAT_FIRST_AFTER_COMM])


def worker_tags(
    pid: int | None = None, start_ticks: int | None = None, host: str | None = None
) -> dict[str, str]:
    """The tags that record a run's worker (this process unless told otherwise)."""
    pid = pid or os.getpid()
    ticks = start_ticks if start_ticks is not None else process_start_ticks(pid)
    tags = {HOST_TAG: host or this_host(), PID_TAG: str(pid)}
    if ticks is not None:
        tags[START_TICKS_TAG] = str(ticks)
    return tags


def worker_from_tags(tags: Mapping[str, str]) -> Worker | None:
    """The worker a run's tags record, or None when they record none."""
    host, pid, ticks = tags.get(HOST_TAG), tags.get(PID_TAG, ""), tags.get(START_TICKS_TAG, "")
    if not host or not pid.isdigit() or int(pid) <= 0:
        return None
    return Worker(host=host, pid=int(pid), start_ticks=int(ticks) if ticks.isdigit() else None)


def launched_worker_pid(engine_event_messages: list[str]) -> int | None:
    """The worker pid from a launched run's engine event messages, or None."""
    for message in engine_event_messages:
        match = WORKER_STARTED.match(message.strip())
        if match:
            return int(match["pid"])
    return None


def worker_is_gone(
    worker: Worker,
    host: str | None = None,
    start_ticks_of: Callable[[int], int | None] = process_start_ticks,
) -> bool:
    """Whether the worker certainly no longer runs: same host, and its pid gone or reused.

    Another host: False (cannot tell). A live pid whose start ticks were not recorded: False.
    """
    if worker.host != (host or this_host()):
        return False
    ticks = start_ticks_of(worker.pid)
    if ticks is None:
        return True
    return worker.start_ticks is not None and ticks != worker.start_ticks


def started_by(tags: Mapping[str, str]) -> str:
    """Who launched a run, for quality.runs: the CLI's own tag, else records.launched_by's name
    (`schedule:<name>`, `sensor:<name>`, `backfill:<id>`, `automation`, `ui`)."""
    from via_pipeline.core.runs.records import launched_by

    return tags.get(STARTED_BY_TAG) or launched_by(tags, STARTED_BY_TAG)
