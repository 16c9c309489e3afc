"""What the CLI's `run` and `status` need from Dagster: the instance, run tags, dead runs,
progress lines, the run's outcome and summary, log files.

Plain helpers the command modules share about the Dagster instance and runs; no commands.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from via_pipeline.cli.check_lines import check_verdict, is_warning, warning_summary
from via_pipeline.core.runs.causes import root_cause_message
from via_pipeline.core.runs.dead_runs import (
    HOST_TAG,
    STARTED_BY_TAG,
    worker_from_tags,
    worker_is_gone,
    worker_tags,
)
from via_pipeline.core.runs.lease import this_host
from via_pipeline.core.runs.records import dead_process_cause
from via_pipeline.core.settings.environment import ConfigurationError, Settings
from via_pipeline.core.warehouse import WarehouseStore

if TYPE_CHECKING:
    import dagster as dg

INSTANCE_YAML = """\
# Written by via-pipeline for local use: SQLite storage in this folder.
# Production uses deploy/dagster.yaml (PostgreSQL storage); see docs/deployment.md.
telemetry:
  enabled: false
"""
SETUP_LOCK_FILE = ".via-instance.lock"
LOG_FOLDER = "logs"


def say(message: str) -> None:
    print(message, flush=True)


def check_reporting_year(year: str) -> None:
    """Refuse a year that is not a partition, before anything is created or migrated."""
    from via_pipeline.defs.partitions import reporting_year_partitions

    years = reporting_year_partitions.get_partition_keys()
    if year not in years:
        raise ConfigurationError(
            f"--year {year}: not a reporting year of the Werkagenda; choose {years[0]} to {years[-1]}"
        )


@contextmanager
def _setup_lock(home: Path) -> Iterator[None]:
    """One process at a time sets up (or opens) the instance's SQLite storage.

    Two first-ever runs on a fresh DAGSTER_HOME otherwise both create its tables, and one fails
    with "table secondary_indexes already exists".
    """
    with (home / SETUP_LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def get_instance(settings: Settings) -> dg.DagsterInstance:
    """The persistent instance at DAGSTER_HOME, created with a local config when it has none."""
    import dagster as dg

    home = settings.dagster_home
    try:
        home.mkdir(parents=True, exist_ok=True)
        with _setup_lock(home):
            instance_yaml = home / "dagster.yaml"
            if not instance_yaml.exists():
                instance_yaml.write_text(INSTANCE_YAML, encoding="utf-8")
            os.environ["DAGSTER_HOME"] = str(home)
            instance = dg.DagsterInstance.get()
            instance.get_runs(limit=1)  # storage created (and migrated) under the lock
    except OSError as error:
        raise ConfigurationError(
            f"DAGSTER_HOME: cannot use {home}: {error.strerror or error}"
        ) from None
    return instance


def run_tags() -> dict[str, str]:
    """Tags that let a later process tell whether this run's process is still there."""
    return {**worker_tags(), STARTED_BY_TAG: "cli"}


def close_dead_dagster_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark FAILED the runs of this instance left STARTED by a CLI process of this host that is gone
    (pid gone or reused; core/runs/dead_runs.py). Runs of any launch: the dead-runs sensor."""
    import dagster as dg

    runs = instance.get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], tags={HOST_TAG: this_host()})
    )
    closed: list[str] = []
    for run in runs:
        worker = worker_from_tags(run.tags)
        if worker and worker.pid != os.getpid() and worker_is_gone(worker):
            instance.report_run_failed(run, message=dead_process_cause(worker.pid))
            closed.append(run.run_id)
    return closed


def write_log(settings: Settings, name: str, text: str) -> Path | None:
    """Write a traceback log under DAGSTER_HOME/logs (else the temp folder); its path, or None."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in (settings.dagster_home / LOG_FOLDER, Path(tempfile.gettempdir())):
        path = folder / f"via-pipeline-{stamp}-{name}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


class RunProgress:
    """Prints a run's progress while it executes, by following its event log in a thread.

    Dagster's own console output is long (timestamps, run ids); operators want one line a step.
    """

    POLL_SECONDS = 0.5

    def __init__(self, instance: dg.DagsterInstance, run_id: str) -> None:
        self.instance = instance
        self.run_id = run_id
        self.cursor: str | None = None
        self._printed: set[int] = set()  # storage ids already said
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="via-run-progress", daemon=True)

    def __enter__(self) -> RunProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        # Whatever arrived after the last poll, and any event that became visible only after a
        # later one had been read (the cursor moves past it): the whole run once more, each
        # event said once.
        self.cursor = None
        self._print_new_events()

    def _follow(self) -> None:
        while not self._stop.wait(self.POLL_SECONDS):
            self._print_new_events()

    def _print_new_events(self) -> None:
        import dagster as dg

        connection = self.instance.get_records_for_run(self.run_id, cursor=self.cursor)
        self.cursor = connection.cursor
        for record in connection.records:
            if record.storage_id in self._printed:
                continue
            self._printed.add(record.storage_id)
            line = describe_event(record.event_log_entry, dg)
            if line:
                say(line)


def describe_event(entry: dg.EventLogEntry, dg_module: Any) -> str | None:
    """One progress line for the events an operator cares about, or None."""
    event = entry.dagster_event
    if event is None:
        if entry.level >= logging.INFO and entry.user_message:
            return f"    {entry.user_message}"
        return None
    event_type = event.event_type
    types = dg_module.DagsterEventType
    if event_type == types.STEP_START:
        return f"-> {event.step_key}"
    if event_type == types.ASSET_MATERIALIZATION:
        materialization = event.materialization
        rows = materialization.metadata.get("dagster/row_count")
        partition = f" [{materialization.partition}]" if materialization.partition else ""
        count = f": {rows.value} rows" if rows is not None else ""
        return f"   materialised {materialization.asset_key.to_user_string()}{partition}{count}"
    if event_type == types.ASSET_CHECK_EVALUATION:
        evaluation = event.asset_check_evaluation_data
        return (
            f"   check {evaluation.asset_key.to_user_string()} {evaluation.check_name}: "
            f"{check_verdict(evaluation)}"
        )
    if event_type == types.STEP_FAILURE:
        error = event.step_failure_data.error
        message = error.message.strip().splitlines()[0] if error else "unknown error"
        return f"   step {event.step_key} FAILED: {message}"
    return None


@dataclass(frozen=True)
class RunOutcome:
    succeeded: bool
    cause: str | None = None
    failed_steps: tuple[str, ...] = ()
    log_file: str | None = None


def run_outcome(result: dg.ExecuteInProcessResult, settings: Settings) -> RunOutcome:
    """Success, or the failure's one line (first failed step, innermost cause, log file)."""
    if result.success:
        return RunOutcome(True)
    failures = result.get_step_failure_events()
    details: list[str] = []
    first_line = ""
    for failure in failures:
        error = failure.step_failure_data.error
        cause = root_cause_message(error) if error else "unknown error"
        first_line = first_line or f"step failed: {failure.step_key}: {cause}"
        details.append(f"step {failure.step_key}:\n{error.to_string() if error else cause}\n")
    if not failures:
        run_failure = next(
            (event for event in result.all_events if event.event_type_value == "RUN_FAILURE"),
            None,
        )
        error = None
        if run_failure is not None and run_failure.event_specific_data is not None:
            error = getattr(run_failure.event_specific_data, "error", None)
        cause = root_cause_message(error) if error else "the run failed before any step ran"
        first_line = f"run failed: {cause}"
        details.append(error.to_string() if error else cause)
    log = write_log(settings, f"run-{result.run_id}", "\n".join(details))
    where = f" (traceback in {log})" if log else " (traceback could not be written)"
    steps = tuple(dict.fromkeys(f.step_key for f in failures if f.step_key))
    return RunOutcome(False, first_line + where, steps, str(log) if log else None)


def print_run_summary(result: dg.ExecuteInProcessResult, store: WarehouseStore) -> None:
    tables: list[str] = []
    files: list[str] = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        metadata = materialization.metadata
        table = metadata.get("warehouse_table")
        if table is not None:
            rows = metadata.get("dagster/row_count")
            row_text = f"{rows.value} rows" if rows is not None else "rows not counted"
            partition = f" [{materialization.partition}]" if materialization.partition else ""
            tables.append(f"  {table.value}{partition}: {row_text}")
        files.extend(
            f"  {entry.value}" for key, entry in metadata.items() if key.startswith("file:")
        )
    say("")
    say(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    say(f"warehouse ({store.redacted_url}):")
    for line in tables or ["  nothing written"]:
        say(line)
    if files:
        say("files:")
        for line in files:
            say(line)
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and not is_warning(evaluation):
            say(f"check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name}")
    for line in warning_summary(result.get_asset_check_evaluations()):
        say(line)
