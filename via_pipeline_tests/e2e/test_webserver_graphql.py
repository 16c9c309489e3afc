"""The code location as operators meet it: dagster-webserver on PostgreSQL storage, driven by GraphQL.

Guards that the webserver loads workspace.yaml, shows every asset with its group and checks,
lists our jobs, schedules and sensors, and runs a job launched through its API to success
(warehouse_migrate_job: small, offline, writes a DuckDB warehouse in tmp). The webserver's
process group is ended whether the test passes or not.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.definitions import defs
from via_pipeline_tests.support.orchestration import (
    EXPECTED_ASSET_GROUPS,
    EXPECTED_JOBS,
    EXPECTED_SCHEDULES,
    EXPECTED_SENSORS,
    asset_check_names,
    asset_groups,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

STARTUP_TIMEOUT_SECONDS = 120  # a ceiling: took 40 s with load average 10 on 2 cores
RUN_TIMEOUT_SECONDS = 90
LOCATION_NAME = "via_pipeline"
REPOSITORY_NAME = "__repository__"  # what Dagster calls the repository of a Definitions object
SMALL_JOB = "warehouse_migrate_job"

# The Known traps of the design brief: psycopg2 named explicitly (SQLAlchemy 2.1 maps plain
# postgresql:// to psycopg 3), and no run queue, since no daemon runs in this test.
INSTANCE_YAML = """\
storage:
  postgres:
    postgres_url: "{postgres_url}"
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""

ASSET_GRAPH_QUERY = """
query AssetGraph {
  assetNodes {
    assetKey { path }
    groupName
    isMaterializable
    assetChecksOrError {
      __typename
      ... on AssetChecks { checks { name } }
    }
  }
}
"""

REPOSITORY_QUERY = """
query Repository($selector: RepositorySelector!) {
  repositoryOrError(repositorySelector: $selector) {
    __typename
    ... on Repository {
      jobs { name }
      schedules { name cronSchedule }
      sensors { name }
    }
    ... on PythonError { message }
  }
}
"""

LAUNCH_RUN_MUTATION = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PipelineNotFoundError { message }
  }
}
"""

RUN_STATUS_QUERY = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status }
  }
}
"""

FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_tail(log_path: Path, lines: int = 40) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def graphql(base_url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(
        f"{base_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return dict(body["data"])


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the webserver's process group, SIGKILL whatever is left after 10 s.

    The group also holds the code server the webserver started, which may outlive its parent.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    return tmp_path / "e2e_warehouse.duckdb"


@pytest.fixture
def webserver(tmp_path: Path, postgres_url: str, warehouse_file: Path) -> Iterator[str]:
    """dagster-webserver on a free loopback port, its instance on a fresh PostgreSQL database."""
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(
        INSTANCE_YAML.format(postgres_url=postgres_url), encoding="utf-8"
    )
    env = dict(os.environ)
    env.update(
        {
            "DAGSTER_HOME": str(dagster_home),
            "VIA_WAREHOUSE_URL": f"duckdb:///{warehouse_file}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    port = free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    log_path = tmp_path / "webserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(webserver_bin), "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the code server goes with it
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"dagster-webserver exited with {process.returncode}:\n{log_tail(log_path)}"
                )
            try:
                if requests.get(f"{base_url}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dagster-webserver did not answer in time:\n{log_tail(log_path)}")
            time.sleep(0.5)
        yield base_url
    finally:
        stop_process_group(process)


def wait_for_code_location(base_url: str) -> dict[str, Any]:
    """The repository once the code server has loaded it (the webserver answers before that)."""
    selector = {"repositoryLocationName": LOCATION_NAME, "repositoryName": REPOSITORY_NAME}
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        data = graphql(base_url, REPOSITORY_QUERY, {"selector": selector})["repositoryOrError"]
        if data["__typename"] == "Repository":
            return dict(data)
        if time.monotonic() > deadline:
            pytest.fail(f"code location {LOCATION_NAME} did not load: {data}")
        time.sleep(0.5)


def test_webserver_shows_the_asset_graph_and_runs_a_job(
    webserver: str, warehouse_file: Path
) -> None:
    repository = wait_for_code_location(webserver)
    assert {job["name"] for job in repository["jobs"]} >= EXPECTED_JOBS
    assert {schedule["name"] for schedule in repository["schedules"]} >= EXPECTED_SCHEDULES
    assert {sensor["name"] for sensor in repository["sensors"]} >= EXPECTED_SENSORS

    nodes = graphql(webserver, ASSET_GRAPH_QUERY)["assetNodes"]
    served_groups = {
        tuple(node["assetKey"]["path"]): node["groupName"]
        for node in nodes
        if node["isMaterializable"]
    }
    served_checks = {
        tuple(node["assetKey"]["path"]): {
            check["name"] for check in node["assetChecksOrError"]["checks"]
        }
        for node in nodes
        if node["assetChecksOrError"]["__typename"] == "AssetChecks"
        and node["assetChecksOrError"]["checks"]
    }
    # The webserver shows exactly what the code location defines: same assets, groups, checks.
    assert served_groups == asset_groups(defs)
    assert served_checks == asset_check_names(defs)
    # ... and that is the design: every asset of the brief, in its group.
    assert set(EXPECTED_ASSET_GROUPS.items()) <= set(served_groups.items())

    launched = graphql(
        webserver,
        LAUNCH_RUN_MUTATION,
        {
            "executionParams": {
                "selector": {
                    "repositoryLocationName": LOCATION_NAME,
                    "repositoryName": REPOSITORY_NAME,
                    "jobName": SMALL_JOB,
                },
                "runConfigData": {},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    status = launched["run"]["status"]
    while status not in FINISHED:
        assert time.monotonic() < deadline, (
            f"run {run_id} still {status} after {RUN_TIMEOUT_SECONDS} s"
        )
        time.sleep(0.5)
        status = graphql(webserver, RUN_STATUS_QUERY, {"runId": run_id})["runOrError"]["status"]
    assert status == "SUCCESS"

    # The run really wrote the warehouse the webserver's environment names.
    store = WarehouseStore(f"duckdb:///{warehouse_file}")
    try:
        assert {"0001", "0006"} <= set(store.applied_migrations())
        assert store.count("quality.run_failures") == 0
    finally:
        store.dispose()
