"""Guards deploy/: the production dagster.yaml loads into a Dagster instance on PostgreSQL with the
queue and warehouse-writer limit it promises, and the services keep the UI on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAG

DEPLOY_DIR = REPO_ROOT / "deploy"


@pytest.fixture
def production_instance(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_DIR / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", postgres_url)
    instance = dg.DagsterInstance.get()
    try:
        yield instance
    finally:
        instance.dispose()


@pytest.mark.postgres
def test_production_instance_stores_everything_in_postgres(
    production_instance: dg.DagsterInstance,
) -> None:
    assert type(production_instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(production_instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(production_instance.schedule_storage).__name__ == "PostgresScheduleStorage"
    assert type(production_instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    # The storage really works: a run record round-trips through PostgreSQL.
    assert production_instance.get_runs_count() == 0


@pytest.mark.postgres
def test_one_warehouse_writer_at_a_time(production_instance: dg.DagsterInstance) -> None:
    queue = production_instance.get_concurrency_config().run_queue_config
    assert queue is not None
    assert {"key": WAREHOUSE_WRITER_TAG, "value": "write", "limit": 1} in (
        queue.tag_concurrency_limits
    )
    assert queue.max_concurrent_runs >= 1


@pytest.mark.postgres
def test_run_monitoring_limits_the_runtime_the_launcher_cannot_check_workers(
    production_instance: dg.DagsterInstance,
) -> None:
    """What docs/deployment.md says of run monitoring: a 2 h runtime limit and the start timeout
    hold for this launcher; a dead worker is not seen by it (the dead-runs sensor's job)."""
    assert production_instance.run_monitoring_enabled
    assert production_instance.run_monitoring_max_runtime_seconds == 7200
    assert production_instance.run_monitoring_start_timeout_seconds == 300
    assert type(production_instance.run_launcher).__name__ == "DefaultRunLauncher"
    assert not production_instance.run_launcher.supports_check_run_worker_health


def test_production_config_names_psycopg2_and_switches_telemetry_off() -> None:
    config = yaml.safe_load((DEPLOY_DIR / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "DAGSTER_POSTGRES_URL"}
    assert config["telemetry"]["enabled"] is False
    assert config["freshness"]["enabled"] is True
    example = (DEPLOY_DIR / "systemd" / "via-pipeline.env.example").read_text(encoding="utf-8")
    assert "DAGSTER_POSTGRES_URL=postgresql+psycopg2://" in example
    assert "postgresql://" not in example


def test_services_listen_on_loopback_only() -> None:
    units = {
        path.name: path.read_text(encoding="utf-8")
        for path in (DEPLOY_DIR / "systemd").glob("*.service")
    }
    assert set(units) == {
        "via-dagster-webserver.service",
        "via-dagster-daemon.service",
        "via-dagster-code-server.service",
        "via-portal.service",
    }
    assert "portal serve --host 127.0.0.1 " in units["via-portal.service"]
    assert "dagster-webserver -h 127.0.0.1 " in units["via-dagster-webserver.service"]
    assert "code-server start -h 127.0.0.1 " in units["via-dagster-code-server.service"]
    workspace = yaml.safe_load((DEPLOY_DIR / "workspace.yaml").read_text(encoding="utf-8"))
    [server] = [entry["grpc_server"] for entry in workspace["load_from"]]
    assert server == {"host": "127.0.0.1", "port": 4266, "location_name": "via_pipeline"}
    assert "-p 4266 " in units["via-dagster-code-server.service"]
