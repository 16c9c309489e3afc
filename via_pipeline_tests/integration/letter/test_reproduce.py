"""`letter reproduce`'s two halves on both engines: the scratch warehouse gets the release's
recorded CBS vintage (not today's rows), and the comparison names the files and the first
figure that differ, and a differing code version."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import fetch_table
from via_pipeline.core.cbs.vintages import record_vintage
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.letter.releases.approve import ApprovalRequest, BuildFacts, approve
from via_pipeline.core.letter.releases.reproduce import compare, prepare_scratch
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.cbs_tables import MemoryClient, recording, table_82809, table_85456
from via_pipeline_tests.support.releases import RUN, record_build

CONFIG = load_key_figure_config()


def _take(store: WarehouseStore, modified: str, taken: datetime) -> None:
    """A take of 85456NED as CBS serves it at `modified`, kept as a vintage and current."""
    table = dataclasses.replace(table_85456(), modified=modified, last_year=2022)
    client = MemoryClient(recording(table_82809(), table))
    fetched = dataclasses.replace(
        fetch_table(client, load_catalogue().table("85456NED")), fetched_at=taken
    )
    with store.transaction() as conn:
        record_vintage(store, conn, fetched)
        for name, frame in (
            ("cbs.observations", fetched.observations),
            ("cbs.measures", fetched.measure_rows()),
            ("cbs.held_dimensions", fetched.held_rows()),
        ):
            store.replace(name, frame, where={"table_id": "85456NED"}, conn=conn)
        store.replace(
            "cbs.tables", pd.DataFrame([fetched.table_row()]), {"table_id": "85456NED"}, conn
        )


def test_scratch_gets_the_recorded_vintage_and_compare_names_differences(
    store: WarehouseStore, warehouse_url: str, tmp_path: Path
) -> None:
    _take(store, "2023-03-01T02:00:00", datetime(2023, 3, 2, 8))
    output = record_build(store, tmp_path, 2022)
    release = approve(
        store,
        ApprovalRequest(2022, "J. Jansen"),
        BuildFacts(RUN, None),
        CONFIG,
        tmp_path,
        tmp_path / "output",
        now=datetime(2026, 12, 3, 14, 2, tzinfo=UTC),
    )
    _take(store, "2024-03-01T02:00:00", datetime(2024, 3, 2, 8))
    assert store.read("SELECT source_version FROM cbs.tables")["source_version"].tolist() == [
        "modified:2024-03-01T02:00:00"
    ]

    scratch = WarehouseStore(f"duckdb:///{tmp_path / 'scratch.duckdb'}")
    scratch.migrate()
    prepared = prepare_scratch(store, scratch, release, tmp_path / "archive")
    assert prepared.cbs_tables == ("85456NED",)
    assert prepared.problems == ()
    tables = scratch.read("SELECT table_id, source_version, modified FROM cbs.tables")
    assert tables.to_dict("records") == [
        {
            "table_id": "85456NED",
            "source_version": "modified:2023-03-01T02:00:00",
            "modified": pd.Timestamp("2023-03-01 02:00"),
        }
    ]
    assert scratch.count("cbs.observations") == store.count(
        "cbs.observation_vintages", {"source_version": "modified:2023-03-01T02:00:00"}
    )

    # The rebuild: the same files but the Markdown, whose key figure came out 3,3.
    out = tmp_path / "out"
    out.mkdir()
    for path in output.iterdir():
        if not path.name.startswith("."):
            (out / path.name).write_bytes(path.read_bytes())
    (out / "voortgang_via_2022_bijlage.md").write_text("# Bijlage\n3,3\n", encoding="utf-8")
    record_build(scratch, tmp_path / "scratch-data", 2022, gap_pp=3.3)
    result = compare(store, scratch, release, prepared, out, CONFIG)
    assert not result.identical
    assert result.lines()[1:] == [
        *(
            [
                "the code version differs from the recorded one "
                f"({release.code_version}): differences may come from the code"
            ]
            if prepared.code_differs
            else []
        ),
        "differs: voortgang_via_2022_bijlage.md",
        "first differing figure: Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde, "
        "2022: sent 2,9, rebuilt 3,3",
    ]
    scratch.dispose()

    # Code changed since the approval: said so.
    with store.transaction() as conn:
        conn.execute(sa.text("UPDATE letter.releases SET code_version = 'older'"))
    older = dataclasses.replace(release, code_version="older")
    again = compare(
        store, store, older, dataclasses.replace(prepared, code_differs=True), out, CONFIG
    )
    assert (
        "the code version differs from the recorded one (older): differences may come from the code"
    ) in again.lines()
