"""Shared fixtures: settings that keep tests offline, and a migrated warehouse on each engine.

Every test that takes `store` runs twice, on a DuckDB file in tmp_path and on a fresh
PostgreSQL database of its own (VIA_TEST_POSTGRES_URL). Without that variable the PostgreSQL
half is skipped; with it set and the server unreachable, it fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.postgres import scratch_database

POSTGRES_URL_VARIABLE = "VIA_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def offline_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test reads the developer's VIA_* settings, data folder or Dagster home."""
    for name in list(os.environ):
        if name.startswith("VIA_") and name != POSTGRES_URL_VARIABLE:
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("VIA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("VIA_CBS_SOURCE", "snapshot")
    monkeypatch.setenv("VIA_INBOX_QUIET_SECONDS", "0")  # files written by a test are complete
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    return data_dir


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    with ExitStack() as cleanup:
        try:
            url = cleanup.enter_context(scratch_database(server_url))
        except sa.exc.OperationalError as error:
            pytest.fail(f"{POSTGRES_URL_VARIABLE} is set but PostgreSQL is unreachable: {error}")
        yield url


@pytest.fixture
def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty warehouse, once per engine."""
    fixture = "duckdb_url" if request.param == "duckdb" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def store(warehouse_url: str) -> Iterator[WarehouseStore]:
    """A migrated warehouse, once per engine."""
    warehouse = WarehouseStore(warehouse_url)
    warehouse.migrate()
    yield warehouse
    warehouse.dispose()
