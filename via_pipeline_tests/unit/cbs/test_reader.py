"""Guards the choice between CBS and the snapshot: unchanged versions are skipped, `auto` falls
back only on outages and bad answers, `live` never falls back, and live figures are never
replaced by the snapshot's."""

from __future__ import annotations

from typing import Any

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.client import (
    CbsAnswerError,
    CbsError,
    CbsRequestError,
    CbsUnavailableError,
    SnapshotCbsClient,
)
from via_pipeline.core.cbs.ingest import StatLineReader, StoredTable
from via_pipeline.core.cbs.odata import apply_query
from via_pipeline_tests.support.cbs_tables import recording

T82 = load_catalogue().table("82809NED")


class FakeLive:
    source = "live"

    def __init__(
        self, error: CbsError | None = None, modified: str | None = "2022-05-13T02:00:00"
    ) -> None:
        self.error = error
        self.recording = recording()
        self.recording["82809NED"]["TableInfos"][0]["Modified"] = modified
        self.calls: list[str] = []

    def describe(self) -> str:
        return "fake"

    def _maybe_fail(self, name: str) -> None:
        self.calls.append(name)
        if self.error is not None:
            raise self.error

    def table_info(self, table_id: str) -> dict[str, Any]:
        self._maybe_fail("TableInfos")
        return self.recording[table_id]["TableInfos"][0]

    def entity(self, table_id: str, name: str) -> list[dict[str, Any]]:
        self._maybe_fail(name)
        return self.recording[table_id][name]

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
        self._maybe_fail("TypedDataSet")
        return apply_query(self.recording[table_id]["TypedDataSet"], filter_text, ",".join(select))


def reader(mode: str, live: FakeLive | None, warnings: list[str]) -> StatLineReader:
    return StatLineReader(mode, live, SnapshotCbsClient(), warn=warnings.append)


def test_live_table_with_the_stored_version_is_not_downloaded() -> None:
    live, warnings = FakeLive(), []
    outcome = reader("live", live, warnings).refresh(
        T82, StoredTable("live", "modified:2022-05-13T02:00:00")
    )
    assert outcome.action == "unchanged" and outcome.fetched is None
    assert live.calls == ["TableInfos"]


def test_a_new_modified_date_downloads() -> None:
    live = FakeLive()
    outcome = reader("live", live, []).refresh(
        T82, StoredTable("live", "modified:2021-01-01T00:00:00")
    )
    assert outcome.action == "fetched" and outcome.fetched is not None
    assert outcome.fetched.version.version == "modified:2022-05-13T02:00:00"
    assert "TypedDataSet" in live.calls


def test_no_modified_date_means_always_download() -> None:
    outcome = reader("live", FakeLive(modified=None), []).refresh(T82, StoredTable("live", None))
    assert outcome.action == "fetched"


@pytest.mark.parametrize("error", [CbsUnavailableError("down"), CbsAnswerError("html")])
def test_auto_falls_back_to_the_snapshot_with_a_warning(error: CbsError) -> None:
    warnings: list[str] = []
    outcome = reader("auto", FakeLive(error), warnings).refresh(T82, None)
    assert outcome.action == "fetched" and outcome.version.source == "snapshot"
    assert warnings and "using the bundled snapshot" in warnings[0] and str(error) in warnings[0]


def test_auto_does_not_hide_a_refused_request() -> None:
    with pytest.raises(CbsRequestError):
        reader("auto", FakeLive(CbsRequestError("404")), []).refresh(T82, None)


def test_live_never_falls_back() -> None:
    with pytest.raises(CbsUnavailableError):
        reader("live", FakeLive(CbsUnavailableError("down")), []).refresh(T82, None)


def test_auto_keeps_figures_read_live_before() -> None:
    warnings: list[str] = []
    outcome = reader("auto", FakeLive(CbsUnavailableError("down")), warnings).refresh(
        T82, StoredTable("live", "modified:2022-05-13T02:00:00")
    )
    assert outcome.action == "kept_live" and outcome.fetched is None
    assert any("keeping the live figures" in w for w in warnings)


def test_snapshot_mode_skips_an_unchanged_snapshot() -> None:
    snapshot_version = SnapshotCbsClient().fingerprint("82809NED")
    outcome = reader("snapshot", None, []).refresh(
        T82, StoredTable("snapshot", f"snapshot-sha256:{snapshot_version}")
    )
    assert outcome.action == "unchanged"


def test_an_outage_after_table_infos_also_falls_back_under_auto() -> None:
    class FailsOnData(FakeLive):
        def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
            raise CbsUnavailableError("data down")

    warnings: list[str] = []
    outcome = reader("auto", FailsOnData(), warnings).refresh(T82, None)
    assert outcome.fetched is not None and outcome.fetched.version.source == "snapshot"
    assert "data down" in warnings[0]
