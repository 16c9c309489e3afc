"""Hand-made warehouse rows for the letter tests: gaps, CBS tables, the registry, submissions
and actions, written with store.replace so no other asset has to run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import pandas as pd

from via_pipeline.core.monitor import GAP_COLUMNS
from via_pipeline.core.settings.config import load_yaml
from via_pipeline.core.warehouse import WarehouseStore


def gap_rows(
    source_table: str,
    group: str,
    values: Mapping[int, tuple[float, float]],
    indicator: str = "unemployment_rate",
    reference_group: str = "total",
    provisional_years: Iterable[int] = (),
) -> list[dict[str, object]]:
    """monitor.gaps rows from {year: (group value, reference value)}; gap = value - reference."""
    provisional = set(provisional_years)
    return [
        {
            "source_table": source_table,
            "year": year,
            "indicator": indicator,
            "population_group": group,
            "reference_group": reference_group,
            "value": value,
            "reference_value": reference,
            "gap_pp": value - reference,
            "gap_change_prev_year_pp": None,
            "baseline_year": None,
            "gap_change_vs_baseline_pp": None,
            "provisional": year in provisional,
        }
        for year, (value, reference) in values.items()
    ]


def gaps_frame(*row_lists: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame([row for rows in row_lists for row in rows], columns=GAP_COLUMNS)
    for column in ("gap_change_prev_year_pp", "gap_change_vs_baseline_pp"):
        frame[column] = frame[column].astype("float64")
    frame["baseline_year"] = frame["baseline_year"].astype("Int64")
    frame["breakdown"] = frame["breakdown"].astype(object).fillna("none")
    return frame


def write_gaps(store: WarehouseStore, *row_lists: list[dict[str, object]]) -> None:
    store.replace("monitor.gaps", gaps_frame(*row_lists))


def write_cbs_table(
    store: WarehouseStore,
    table_id: str = "85456NED",
    title: str = "Arbeidsdeelname; herkomst",
    modified: datetime | None = datetime(2023, 11, 27, 2, 0),
    source: str = "live",
) -> None:
    frame = pd.DataFrame(
        [
            {
                "table_id": table_id,
                "title": title,
                "modified": modified,
                "fetched_at": datetime(2023, 11, 28, 9, 0),
                "source": source,
                "row_count": 100,
            }
        ]
    )
    frame["modified"] = pd.to_datetime(frame["modified"])
    # Columns later migrations add (e.g. source_version) stay empty.
    for column in store.table_columns("cbs.tables"):
        if column not in frame.columns:
            frame[column] = None
    store.replace("cbs.tables", frame, where={"table_id": table_id})


def write_registry(
    store: WarehouseStore, partners: list[dict[str, object]] | None = None
) -> pd.DataFrame:
    """partners.registry from config/partners.yaml (the 21 partners) unless rows are given."""
    rows = partners if partners is not None else load_yaml("partners.yaml")["partners"]
    frame = pd.DataFrame(rows, columns=["partner_id", "name", "kind", "first_year", "last_year"])
    frame["last_year"] = frame["last_year"].astype("Int64")
    store.replace("partners.registry", frame)
    return frame


def submission(
    partner_id: str,
    reporting_year: int,
    status: str = "accepted",
    received_at: datetime = datetime(2023, 3, 1, 10, 0),
    action_count: int = 0,
    sha: str | None = None,
) -> dict[str, object]:
    digest = (
        sha or (f"{partner_id}{reporting_year}{status}{received_at:%j%H%M}".encode().hex() * 8)[:64]
    )
    return {
        "sha256": digest,
        "file_name": f"{partner_id}_{reporting_year}.csv",
        "partner_id": partner_id,
        "reporting_year": reporting_year,
        "received_at": received_at,
        "processed_at": received_at,
        "status": status,
        "problem_count": 0 if status == "accepted" else 1,
        "action_count": action_count,
        "supersedes_sha256": None,
        "is_current": status == "accepted",
        "archive_path": f"archive/{digest}",
        "size_bytes": None,  # not known for a made-up submission (migration 0008)
        "file_modified_at": None,
    }


def write_submissions(store: WarehouseStore, rows: list[dict[str, object]]) -> None:
    columns = list(submission("x", 2000).keys())
    store.replace("partners.submissions", pd.DataFrame(rows, columns=columns))


def action(
    partner_id: str,
    reporting_year: int,
    action_id: str,
    theme: str,
    status: str = "lopend",
    title: str = "Actie",
    people: int | None = None,
    employers: int | None = None,
    start: date | None = None,
    programme: str = "via",
) -> dict[str, object]:
    return {
        "partner_id": partner_id,
        "reporting_year": reporting_year,
        "action_id": action_id,
        "theme": theme,
        "title": title,
        "status": status,
        "start_date": start,
        "end_date": None,
        "people_reached": people,
        "employers_reached": employers,
        "explanation": None,
        "source_row": 2,
        "submission_sha256": "0" * 64,
        "programme": programme,
    }


def write_actions(store: WarehouseStore, rows: list[dict[str, object]]) -> None:
    columns = list(action("x", 2000, "a", "t").keys())
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("people_reached", "employers_reached"):
        frame[column] = frame[column].astype("Int64")
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    store.replace("partners.actions", frame)
