"""What the CLI's `run` and `status` need from Dagster: the instance, run tags, dead runs, logs.

Kept apart from cli.py so the command table there stays short; plain helpers, no commands.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from via_pipeline.core.lease import process_is_alive, this_host
from via_pipeline.core.runs import dead_process_cause
from via_pipeline.core.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    import dagster as dg

PID_TAG = "via/pid"
HOST_TAG = "via/host"
INSTANCE_YAML = """\
# Written by via-pipeline for local use: SQLite storage in this folder.
# Production uses deploy/dagster.yaml (PostgreSQL storage); see docs/deployment.md.
telemetry:
  enabled: false
"""
SETUP_LOCK_FILE = ".via-instance.lock"
LOG_FOLDER = "logs"


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
    return {PID_TAG: str(os.getpid()), HOST_TAG: this_host()}


def close_dead_dagster_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark FAILED the runs of this instance left STARTED by a CLI process of this host that is gone."""
    import dagster as dg

    runs = instance.get_runs(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], tags={HOST_TAG: this_host()})
    )
    closed: list[str] = []
    for run in runs:
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if pid and pid != os.getpid() and not process_is_alive(pid):
            instance.report_run_failed(run, message=dead_process_cause(pid))
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
