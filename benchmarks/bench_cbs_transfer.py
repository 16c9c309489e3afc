"""CBS transfer: bytes the ingest fetches with its `$filter`/`$select` against the whole table.

The bundled 82809NED snapshot holds only the cells the monitor uses, so it is enlarged to the
shape of the real table (both sexes, age bands, generations, quarters beside years, a dozen
measures: at least 100,000 cells) and served by the replay server of the tests, which counts
the bytes of every answer. The same live client then fetches (a) what the ingest asks for
(`fetch_table`: table info, metadata, code lists and the filtered TypedDataSet) and (b) the same
metadata plus the whole TypedDataSet; both must give the same observations.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

from benchmarks.common import BenchResult, BenchSize, format_bytes, load_conditions

TABLE_ID = "82809NED"
TARGET_CELLS_NOTE = ">= 100,000 cells"
EXTRA_MEASURES = (
    ("Beroepsbevolking_1", "Beroepsbevolking", "x 1 000"),
    ("WerkzameBeroepsbevolking_2", "Werkzame beroepsbevolking", "x 1 000"),
    ("Werknemer_3", "Werknemer", "x 1 000"),
    ("Zelfstandige_4", "Zelfstandige", "x 1 000"),
    ("WerklozeBeroepsbevolking_5", "Werkloze beroepsbevolking", "x 1 000"),
    ("NietBeroepsbevolking_6", "Niet-beroepsbevolking", "x 1 000"),
    ("Bevolking15Tot75Jaar_7", "Bevolking 15 tot 75 jaar", "x 1 000"),
    ("BrutoArbeidsparticipatie_8", "Bruto arbeidsparticipatie", "%"),
    ("Werkzaamheidspercentage_9", "Werkzaamheidspercentage", "%"),
    ("Deeltijdpercentage_10", "Deeltijdpercentage", "%"),
)
EXTRA_SEXES = (("3000", "Mannen"), ("4000", "Vrouwen"))
EXTRA_ORIGINS = (
    ("2012605G1", "Met migratieachtergrond, eerste generatie"),
    ("2012605G2", "Met migratieachtergrond, tweede generatie"),
    ("2012655G1", "Westerse migratieachtergrond, eerste generatie"),
    ("2012657G1", "Niet-westerse migratieachtergrond, eerste generatie"),
)
AGE_BANDS = (
    ("52020", "15 tot 25 jaar"),
    ("52030", "25 tot 35 jaar"),
    ("52040", "35 tot 45 jaar"),
    ("52050", "45 tot 55 jaar"),
    ("52060", "55 tot 65 jaar"),
    ("52070", "65 tot 75 jaar"),
    ("53105", "15 tot 45 jaar"),
    ("53950", "45 tot 75 jaar"),
)


def _category(key: str, title: str) -> dict[str, Any]:
    return {"Key": key, "Title": title, "Description": None, "CategoryGroupID": None}


def cells_of(recording: dict[str, dict[str, list[dict[str, Any]]]]) -> int:
    table = recording[TABLE_ID]
    measures = [p for p in table["DataProperties"] if p["Type"] == "Topic"]
    return len(table["TypedDataSet"]) * len(measures)


def enlarged_recording(target_cells: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The snapshot with 82809NED grown to the real table's shape, at least `target_cells` cells."""
    from via_pipeline_tests.support.cbs_replay import load_recording

    recording = load_recording()
    table = recording[TABLE_ID]
    base_rows = table["TypedDataSet"]
    properties = table["DataProperties"]
    measures = [p for p in properties if p["Type"] == "Topic"]
    next_id = max(int(p["ID"]) for p in properties) + 1
    for offset, (key, title, unit) in enumerate(EXTRA_MEASURES):
        extra = copy.deepcopy(measures[0])
        extra.update(
            {
                "ID": next_id + offset,
                "Position": str(next_id + offset),
                "Key": key,
                "Title": title,
                "Unit": unit,
            }
        )
        properties.append(extra)
    measure_count = len(measures) + len(EXTRA_MEASURES)

    yearly = [p for p in table["Perioden"] if p["Key"].endswith("JJ00")]
    for period in yearly:
        for quarter in range(1, 5):
            table["Perioden"].append(
                {
                    "Key": f"{period['Key'][:4]}KW0{quarter}",
                    "Title": f"{period['Title']} {quarter}e kwartaal",
                    "Description": None,
                    "Status": period.get("Status"),
                }
            )
    sexes = [c["Key"] for c in table["Geslacht"]] + [key for key, _ in EXTRA_SEXES]
    table["Geslacht"] += [_category(key, title) for key, title in EXTRA_SEXES]
    table["Migratieachtergrond"] += [_category(key, title) for key, title in EXTRA_ORIGINS]
    origins = [c["Key"] for c in table["Migratieachtergrond"]]
    periods = [p["Key"] for p in table["Perioden"]]
    rows_per_age = len(sexes) * len(origins) * len(periods)
    ages_needed = max(1, math.ceil(target_cells / (rows_per_age * measure_count)))
    extra_ages = AGE_BANDS[: max(0, ages_needed - 1)]
    if ages_needed - 1 > len(AGE_BANDS):
        extra_ages = AGE_BANDS + tuple(
            (f"59{n:03d}", f"Leeftijdsgroep {n}") for n in range(ages_needed - 1 - len(AGE_BANDS))
        )
    table["Leeftijd"] += [_category(key, title) for key, title in extra_ages]
    ages = [c["Key"] for c in table["Leeftijd"]]

    known = {
        (r["Geslacht"], r["Leeftijd"], r["Migratieachtergrond"], r["Perioden"]): r
        for r in base_rows
    }
    measure_keys = [p["Key"] for p in properties if p["Type"] == "Topic"]
    rows = []
    for sex in sexes:
        for age in ages:
            for origin in origins:
                for period in periods:
                    row: dict[str, Any] = {
                        "ID": len(rows),
                        "Geslacht": sex,
                        "Leeftijd": age,
                        "Migratieachtergrond": origin,
                        "Perioden": period,
                    }
                    original = known.get((sex, age, origin, period))
                    for number, key in enumerate(measure_keys):
                        if original is not None and key in original:
                            row[key] = original[key]
                        else:
                            row[key] = round(((len(rows) * 7 + number * 13) % 1000) / 10, 1)
                    rows.append(row)
    table["TypedDataSet"] = rows
    return recording


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
    from via_pipeline.core.cbs.ingest import build_observations, fetch_table
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
    return result
