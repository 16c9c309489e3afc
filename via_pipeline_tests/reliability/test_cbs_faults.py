"""Guards the CBS ingest against a misbehaving StatLine: every fault ends in the expected retry or
a clear failure naming the table, and a failure leaves every warehouse table exactly as it was.

Faults come from the replay server's hook (support/cbs_replay.py). The warehouse is seeded once
per module by a clean ingest; each test works on its own copy of that DuckDB file. (That a failed
write leaves PostgreSQL unchanged too is proven by the crash and connection-loss tests.)
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.reliability.dumps import dump_warehouse
from via_pipeline_tests.support.cbs_replay import (
    Body,
    CbsReplayServer,
    Delay,
    Reset,
    Status,
    Truncate,
)
from via_pipeline_tests.support.cbs_tables import recording

pytestmark = pytest.mark.slow

TABLE = "82809NED"
NEW_MODIFIED = "2023-06-01T02:00:00"  # a new CBS version: the ingest downloads the table again
TIMEOUT = 1.0
RETRIES = 2  # three attempts in all


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(), page_size=50) as server:
        server.set_modified("82809NED", "2022-05-13T02:00:00")
        server.set_modified("85456NED", "2026-11-02T02:00:00")
        monkeypatch.setenv("VIA_CBS_CATALOG_URL", server.catalog_url)
        monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
        monkeypatch.setenv("VIA_CBS_SOURCE", "live")
        yield server


def ingest(url: str, timeout_seconds: float = TIMEOUT) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [cbs_tables_and_observations, monitor_indicators],
        resources={
            "warehouse": Warehouse(url=url),
            "cbs": CbsStatLine(
                timeout_seconds=timeout_seconds, retries=RETRIES, backoff_seconds=0.01
            ),
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after one clean live ingest, made once and copied for each test."""
    path = tmp_path_factory.mktemp("seed") / "warehouse.duckdb"
    with (
        pytest.MonkeyPatch.context() as patch,
        CbsReplayServer(recording(), page_size=50) as server,
    ):
        server.set_modified("82809NED", "2022-05-13T02:00:00")
        server.set_modified("85456NED", "2026-11-02T02:00:00")
        patch.setenv("VIA_CBS_CATALOG_URL", server.catalog_url)
        patch.setenv("VIA_CBS_USE_HTTPS", "false")
        patch.setenv("VIA_CBS_SOURCE", "live")
        patch.setenv("VIA_DATA_DIR", str(path.parent))
        # No fault is served here: a generous timeout keeps the seed clean on a loaded machine.
        assert ingest(f"duckdb:///{path}", timeout_seconds=30.0).success
    return path


@pytest.fixture
def url(seeded_file: Path, tmp_path: Path) -> str:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(seeded_file, copy)
    return f"duckdb:///{copy}"


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        event.step_failure_data.error.message
        if event.step_failure_data.error
        else str(event.step_failure_data.user_failure_data)
        for event in result.get_step_failure_events()
    )


def data_requests(server: CbsReplayServer) -> list[tuple[int, str | None]]:
    return [
        (r.status, r.fault)
        for r in server.requests
        if r.table_id == TABLE and r.entity == "TypedDataSet"
    ]


LOOP_PAGE = {
    "value": [],  # filled from the recording in the test
    "odata.nextLink": f"https://opendata.cbs.nl/ODataFeed/odata/{TABLE}/TypedDataSet?$skip=0",
}

FAILURES: list[tuple[str, list[Any], str]] = [
    ("reset_every_attempt", [Reset()] * 3, "cannot connect"),
    ("slower_than_timeout_every_attempt", [Delay(TIMEOUT + 1.0)] * 3, "no answer within"),
    ("http_503_every_attempt", [Status(503)] * 3, "HTTP 503"),
    ("http_500_every_attempt", [Status(500)] * 3, "HTTP 500"),
    ("truncated_json_every_attempt", [Truncate(keep=120)] * 3, "cut off"),
    ("json_cut_mid_value", [Body(b'{"odata.metadata": "x", "value": [{"ID": 0, "Ges')], "not JSON"),
    (
        "html_instead_of_json",
        [Body(b"<!DOCTYPE html><html><body>Onderhoud</body></html>", content_type="text/html")],
        "not JSON",
    ),
    ("json_without_value", [Body(b'{"error": "busy"}')], "not an OData feed"),
    ("http_404", [Status(404, b"Not Found")], "HTTP 404"),
]


@pytest.mark.parametrize(
    ("faults", "expected"),
    [pytest.param(faults, expected, id=name) for name, faults, expected in FAILURES],
)
def test_a_failing_answer_fails_naming_the_table_and_changes_nothing(
    replay: CbsReplayServer, url: str, faults: list[Any], expected: str
) -> None:
    before = dump_warehouse(url)
    replay.set_modified(TABLE, NEW_MODIFIED)
    replay.inject(f"{TABLE}/TypedDataSet", *faults)
    result = ingest(url)
    assert not result.success
    message = failure_text(result)
    assert TABLE in message and expected in message, message
    assert dump_warehouse(url) == before
    assert replay.faults_left(f"{TABLE}/TypedDataSet") == 0


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param([Reset()], id="one_reset"),
        pytest.param([Delay(TIMEOUT + 1.0)], id="one_slow_answer"),
        pytest.param([Status(500), Status(503)], id="a_500_then_a_503"),
        pytest.param([Truncate(keep=120)], id="one_truncated_answer"),
    ],
)
def test_a_passing_fault_is_retried_and_the_new_version_stored(
    replay: CbsReplayServer, url: str, faults: list[Any]
) -> None:
    replay.set_modified(TABLE, NEW_MODIFIED)
    replay.inject(f"{TABLE}/TypedDataSet", *faults)
    result = ingest(url)
    assert result.success, failure_text(result)
    expected = sorted(type(f).__name__ for f in faults)
    # A slow answer is logged when it finally ends, after the retry (and possibly after the
    # run, on a loaded machine): wait for it, then compare as a multiset.
    deadline = time.monotonic() + TIMEOUT + 5.0
    while sorted(f for _, f in data_requests(replay) if f) != expected:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    statuses = data_requests(replay)
    assert len(statuses) >= len(faults) + 1
    assert sorted(f for _, f in statuses if f) == expected
    tables = dump_warehouse(url)["cbs.tables"]
    columns = tables[0]
    row = next(r for r in tables[1:] if r[columns.index("table_id")] == TABLE)
    assert str(row[columns.index("modified")]).startswith("2023-06-01")
    assert row[columns.index("row_count")] == 190


def test_an_odata_next_link_loop_is_detected_and_changes_nothing(
    replay: CbsReplayServer, url: str
) -> None:
    before = dump_warehouse(url)
    replay.set_modified(TABLE, NEW_MODIFIED)
    page = {**LOOP_PAGE, "value": replay.recording[TABLE]["TypedDataSet"][:5]}
    for _ in range(200):  # a server that keeps pointing back at the same page
        replay.queue_answer(f"{TABLE}/TypedDataSet", page)
    result = ingest(url)
    assert not result.success
    message = failure_text(result)
    assert TABLE in message and "nextLink" in message, message
    assert len(data_requests(replay)) < 20
    assert dump_warehouse(url) == before


def retitle_measure(table: dict[str, Any]) -> None:
    for record in table["DataProperties"]:
        if record.get("Title") == "Werkloosheidspercentage":
            record["Title"] = "Werkloosheid (%)"


def retitle_group(table: dict[str, Any]) -> None:
    for record in table["Migratieachtergrond"]:
        if record.get("Title") == "Niet-westerse migratieachtergrond":
            record["Title"] = "Niet-Westers"
            record["Key"] = "X999999"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(retitle_measure, "Werkloosheid (%)", id="measure_title_changed"),
        pytest.param(retitle_group, "Niet-westerse migratieachtergrond", id="group_title_changed"),
    ],
)
def test_a_changed_title_fails_naming_the_table_and_changes_nothing(
    replay: CbsReplayServer, url: str, change: Callable[[dict[str, Any]], None], named: str
) -> None:
    before = dump_warehouse(url)
    change(replay.recording[TABLE])
    replay.set_modified(TABLE, NEW_MODIFIED)
    result = ingest(url)
    assert not result.success
    message = failure_text(result)
    assert TABLE in message and named in message, message
    assert dump_warehouse(url) == before
