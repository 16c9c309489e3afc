"""CBS transfer: bytes the ingest fetches with its `$filter`/`$select` against the whole table.

82809NED is built in the shape of the real table by the tests' generator of CBS tables
(both sexes, age bands, quarters beside years, all its measures: at least 100,000 cells) and
served by the replay server of the tests, which counts
the bytes of every answer. The same live client then fetches (a) what the ingest asks for
(`fetch_table`: table info, metadata, code lists and the filtered TypedDataSet) and (b) the same
metadata plus the whole TypedDataSet; both must give the same observations.

Then 85456NED in its real shape (all dimensions, quarters for every year) with the breakdown
cells of cbs_tables.yaml (issue 16): the bytes the ingest fetches for the union of configured
cells, against the same table without the cells (the origin groups only) and the whole table.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import BenchResult, BenchSize, format_bytes, load_conditions

TABLE_ID = "82809NED"
TARGET_CELLS_NOTE = ">= 100,000 cells"


def cells_of(recording: dict[str, dict[str, list[dict[str, Any]]]]) -> int:
    table = recording[TABLE_ID]
    measures = [p for p in table["DataProperties"] if p["Type"] == "Topic"]
    return len(table["TypedDataSet"]) * len(measures)


def enlarged_recording(target_cells: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """82809NED in the real table's shape (the tests' one generator of CBS tables), grown to
    at least `target_cells` cells: every quarter beside the years, age bands, all measures."""
    from via_pipeline_tests.support.cbs_tables import recording, table_82809_full

    return recording(table_82809_full(target_cells))


def _settled_requests(server: Any) -> list[Any]:
    """The server's request log once it stops growing: it logs an answer after sending it,
    so the client can hold the last page before the log has it."""
    seen = -1
    while len(server.requests) != seen:
        seen = len(server.requests)
        time.sleep(0.3)
    return list(server.requests)


def run(size: BenchSize) -> BenchResult:
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.client import LiveCbsClient
    from via_pipeline.core.cbs.ingest import fetch_table
    from via_pipeline.core.cbs.observations import build_observations
    from via_pipeline_tests.support.cbs_replay import CbsReplayServer

    result = BenchResult("cbs_transfer", "CBS transfer")
    recording = enlarged_recording(size.cbs_cells)
    cells = cells_of(recording)
    config = load_catalogue().table(TABLE_ID)
    with CbsReplayServer(recording) as server:
        client = LiveCbsClient(server.catalog_url, use_https=False)

        fetched = fetch_table(client, config)
        filtered = _settled_requests(server)
        server.reset_log()

        fetch_table_metadata = [r for r in filtered if r.entity != "TypedDataSet"]
        for record in fetch_table_metadata:  # the same metadata, then everything
            if record.entity == "TableInfos":
                client.table_info(TABLE_ID)
            else:
                client.entity(TABLE_ID, record.entity)
        everything = client.entity(TABLE_ID, "TypedDataSet")
        full = _settled_requests(server)

    whole = build_observations(fetched.layout, everything)
    columns = list(fetched.observations.columns)
    same = (
        whole.sort_values(columns[:7])
        .reset_index(drop=True)
        .equals(fetched.observations.sort_values(columns[:7]).reset_index(drop=True))
    )
    if not same:
        raise RuntimeError("the filtered fetch and the whole table give different observations")

    def data_bytes(records: list[Any]) -> int:
        return sum(r.bytes_sent for r in records if r.entity == "TypedDataSet")

    def total_bytes(records: list[Any]) -> int:
        return sum(r.bytes_sent for r in records)

    filtered_data, full_data = data_bytes(filtered), data_bytes(full)
    filtered_total, full_total = total_bytes(filtered), total_bytes(full)
    used_cells = len(fetched.observations)
    result.add(
        "table served",
        f"{TABLE_ID} enlarged: {len(everything):,} rows x {cells // len(everything)} measures = {cells:,} cells",
        TARGET_CELLS_NOTE,
        cells >= 100_000 if not size.is_tiny else None,
    )
    result.add("cells the monitor uses", f"{used_cells:,} ({used_cells / cells:.2%})")
    result.add(
        "TypedDataSet bytes, ingest ($filter/$select)",
        f"{format_bytes(filtered_data)} in {sum(1 for r in filtered if r.entity == 'TypedDataSet')} request(s)",
    )
    result.add(
        "TypedDataSet bytes, whole table",
        f"{format_bytes(full_data)} in {sum(1 for r in full if r.entity == 'TypedDataSet')} request(s)",
    )
    result.add(
        "bytes fetched in all (metadata included): ingest vs whole",
        f"{format_bytes(filtered_total)} vs {format_bytes(full_total)}: {full_total / filtered_total:.0f}x less",
    )
    result.details += [
        f"Replay server (via_pipeline_tests/support/cbs_replay.py, page size 10,000 rows like CBS), "
        f"{load_conditions()}. The ingest's requests:",
        "",
        "| request | $filter / $select | bytes |",
        "|---|---|---:|",
    ]
    for record in filtered:
        query = "; ".join(
            f"{k}={v}" for k, v in record.query.items() if k in ("$filter", "$select", "$skip")
        )
        result.details.append(
            f"| {record.path_key} | {query[:160].replace('|', '/')} | {record.bytes_sent:,} |"
        )
    result.details += ["", "Both fetches give the same observations (checked)."]
    _breakdown_cells(result)
    return result


def _breakdown_cells(result: BenchResult) -> None:
    """85456NED: bytes for the configured cells (origin groups + breakdown cells) against the
    origin groups alone and against the whole table."""
    import dataclasses

    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.client import LiveCbsClient
    from via_pipeline.core.cbs.ingest import fetch_table
    from via_pipeline_tests.support.cbs_replay import CbsReplayServer
    from via_pipeline_tests.support.cbs_tables import recording, table_85456

    table = dataclasses.replace(table_85456(), quarters_from=table_85456().first_year)
    recorded = recording(table)
    config = load_catalogue().table(table.table_id)
    measured = {}
    with CbsReplayServer(recorded) as server:
        client = LiveCbsClient(server.catalog_url, use_https=False)
        for label, variant in (
            ("origin groups only", dataclasses.replace(config, cells=())),
            ("with breakdown cells", config),
        ):
            fetched = fetch_table(client, variant)
            requests = _settled_requests(server)
            server.reset_log()
            measured[label] = (
                len(fetched.observations),
                sum(r.bytes_sent for r in requests if r.entity == "TypedDataSet"),
                sum(r.bytes_sent for r in requests),
            )
        client.entity(table.table_id, "TypedDataSet")
        whole = sum(r.bytes_sent for r in _settled_requests(server))
    rows = len(recorded[table.table_id]["TypedDataSet"])
    for label, (observations, data, total) in measured.items():
        result.add(
            f"85456NED ingest, {label}: bytes in all (TypedDataSet)",
            f"{format_bytes(total)} ({format_bytes(data)}), {observations:,} observations",
        )
    result.add(
        "85456NED whole TypedDataSet",
        f"{format_bytes(whole)} ({rows:,} rows x {len(table.measures)} measures)",
    )
