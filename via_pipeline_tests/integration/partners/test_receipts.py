"""Guards receipts (issue 26, items 8 and 9), on DuckDB and PostgreSQL: any file received after another
becomes current, also the same bytes as an earlier version (v1 after v2), the run says so, and
`received_at` is the time of that receipt, also for bytes first seen under a rejected name.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pandas as pd

from via_pipeline.core.partners.inbox import read_inbox_file, scan_inbox
from via_pipeline.core.partners.intake import IntakeOutcome, take_in
from via_pipeline.core.partners.receipts import CURRENT_AGAIN, SAME_RECEIPT
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.partners.assets import InboxFileRef, archived_receipt
from via_pipeline.defs.partners.resources import Inbox
from via_pipeline.defs.partners.sensors import partners_inbox_sensor
from via_pipeline_tests.support.partners import csv_bytes, drop_in_inbox, numbered_rows

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024, 2025, 2026)
# Saved into the inbox on 2 and 9 October 2023 and again on 16 October, as an operator would.
SAVED = {"v1": 1_696_240_800, "v2": 1_696_845_600, "v1 again": 1_697_450_400}


def version(count: int) -> bytes:
    return csv_bytes(numbered_rows("vng", 2023, count), delimiter=";", encoding="cp1252")


def receive(
    store: WarehouseStore, data_dir: Path, file_name: str, content: bytes, saved_at: int
) -> IntakeOutcome:
    """The operator saves the attachment into the inbox; a run takes in what it finds there."""
    path = drop_in_inbox(data_dir / "inbox", file_name, content)
    os.utime(path, (saved_at, saved_at))
    (found,) = [f for f in scan_inbox(data_dir / "inbox", 0).ready if f.file_name == file_name]
    archived = read_inbox_file(found, data_dir / "archive", 10 * 1024 * 1024)
    return take_in(store, archived, data_dir / "feedback", PARTNERS, THEMES, YEARS)


def rows(store: WarehouseStore, sql: str) -> list[tuple[object, ...]]:
    frame = store.read(sql)
    plain = frame.astype(object).where(frame.notna(), None)
    return [tuple(row) for row in plain.itertuples(index=False)]


def test_v1_sent_again_after_v2_becomes_current_and_the_run_says_so(
    store: WarehouseStore, tmp_path: Path
) -> None:
    v1, v2 = version(2), version(3)
    first = receive(store, tmp_path, "vng_2023.csv", v1, SAVED["v1"])
    second = receive(store, tmp_path, "vng_2023.csv", v2, SAVED["v2"])
    again = receive(store, tmp_path, "vng_2023.csv", v1, SAVED["v1 again"])
    assert (first.status, second.status, again.status) == ("accepted",) * 3
    assert (again.is_current, again.supersedes_sha256) == (True, second.sha256)
    assert again.note == (
        f"version 3 of vng 2023, now the current one (after {second.sha256[:8]} vng_2023.csv); "
        "received again (these bytes under this name were recorded before)"
    )
    assert rows(
        store,
        "SELECT version, sha256 FROM partners.versions WHERE partner_id = 'vng' ORDER BY version",
    ) == [(1, first.sha256), (2, second.sha256), (3, first.sha256)]
    assert rows(
        store,
        "SELECT sha256, is_current, supersedes_sha256, file_modified_at FROM partners.submissions "
        "ORDER BY file_modified_at",
    ) == [
        (second.sha256, False, first.sha256, pd.Timestamp("2023-10-09 10:00:00")),
        (first.sha256, True, second.sha256, pd.Timestamp("2023-10-16 10:00:00")),
    ]
    assert rows(
        store, "SELECT action_id FROM partners.actions WHERE partner_id = 'vng' ORDER BY action_id"
    ) == [("1",), ("2",)]

    # A rerun with nothing new in the inbox changes nothing, and says why.
    rerun = receive(store, tmp_path, "vng_2023.csv", v1, SAVED["v1 again"])
    assert (rerun.status, rerun.note) == ("skipped", SAME_RECEIPT)
    assert store.count("partners.versions", {"partner_id": "vng"}) == 3


def test_received_at_is_the_time_of_the_receipt(store: WarehouseStore, tmp_path: Path) -> None:
    content = version(2)
    # A browser's second download: rejected for its name, the bytes archived.
    rejected = receive(store, tmp_path, "vng_2023 (1).csv", content, SAVED["v1"])
    assert [p.rule for p in rejected.problems] == ["file_name_pattern"]
    (tmp_path / "inbox" / "vng_2023 (1).csv").unlink()
    accepted = receive(store, tmp_path, "vng_2023.csv", content, SAVED["v2"])
    assert accepted.status == "accepted"
    (first_seen, taken), *_ = store.read(
        "SELECT min(received_at) AS first_seen, max(received_at) AS taken FROM partners.submissions"
    ).itertuples(index=False)
    received = store.read(
        "SELECT file_name, received_at FROM partners.submissions ORDER BY received_at"
    )
    assert received["file_name"].tolist() == ["vng_2023 (1).csv", "vng_2023.csv"]
    assert taken > first_seen

    # The current file saved into the inbox again: still current, its receipt time moves on.
    again = receive(store, tmp_path, "vng_2023.csv", content, SAVED["v1 again"])
    assert (again.status, again.note) == ("skipped", CURRENT_AGAIN)
    (later,) = store.read(
        "SELECT received_at FROM partners.submissions WHERE file_name = 'vng_2023.csv'"
    )["received_at"].tolist()
    assert later > taken
    assert store.count("partners.versions", {"partner_id": "vng"}) == 1


def test_the_sensor_requests_v1_again_after_v2_with_its_receipt(tmp_path: Path) -> None:
    v1, v2 = version(2), version(3)
    cursor: str | None = None
    keys: list[str] = []
    refs: list[dict[str, str]] = []
    for content, saved_at in ((v1, SAVED["v1"]), (v2, SAVED["v2"]), (v1, SAVED["v1 again"])):
        path = drop_in_inbox(tmp_path / "inbox", "vng_2023.csv", content)
        os.utime(path, (saved_at, saved_at))
        context = dg.build_sensor_context(
            cursor=cursor,
            instance=dg.DagsterInstance.ephemeral(),
            resources={"inbox": Inbox(data_dir=str(tmp_path), quiet_seconds_override=0)},
        )
        result = partners_inbox_sensor(context)
        assert isinstance(result, dg.SensorResult)
        (request,) = result.run_requests or []
        keys.append(str(request.run_key))
        refs.append(request.run_config["ops"]["partners_intake"]["config"]["files"][0])
        cursor = result.cursor
    assert len(set(keys)) == 3
    assert keys[2].endswith(":2023-10-16T10:00:00")
    third = archived_receipt(tmp_path / "archive", InboxFileRef(**refs[2]))
    assert third.content == v1
    assert third.modified_at == pd.Timestamp("2023-10-16 10:00:00").to_pydatetime()
    assert third.received_at.isoformat() == refs[2]["received_at"]
