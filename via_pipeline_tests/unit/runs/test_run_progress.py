"""The CLI's progress lines follow a run's event log by cursor; an event that became visible only
after a later one was read is still said at the end, and no event is said twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import dagster as dg
import pytest

from via_pipeline.cli.instance import RunProgress


def entry(message: str) -> dg.EventLogEntry:
    return dg.EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id="r",
        timestamp=0.0,
        step_key=None,
        job_name=None,
        dagster_event=None,
    )


@dataclass
class Connection:
    records: list[Any]
    cursor: str


class LateEventLog:
    """Storage ids 1 and 3 are visible at the first read, 2 only afterwards."""

    def __init__(self) -> None:
        self.reads = 0

    def get_records_for_run(self, run_id: str, cursor: str | None = None) -> Connection:
        self.reads += 1
        visible = (1, 3) if self.reads == 1 else (1, 2, 3)
        after = int(cursor) if cursor else 0
        records = [
            dg.EventLogRecord(storage_id=i, event_log_entry=entry(f"event {i}"))
            for i in visible
            if i > after
        ]
        return Connection(records, str(records[-1].storage_id) if records else (cursor or "0"))


def test_an_event_seen_late_is_said_once_at_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    log = LateEventLog()
    progress = RunProgress(log, "r")  # type: ignore[arg-type]
    progress.POLL_SECONDS = 3600  # no poll of its own: the test makes the one poll
    with progress:
        progress._print_new_events()  # a poll while the run executes
    assert capsys.readouterr().out.splitlines() == ["    event 1", "    event 3", "    event 2"]
