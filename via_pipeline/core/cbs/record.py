"""Recording the bundled snapshot from CBS: `via-pipeline cbs record [--table ID]`.

Per table: TableInfos (with Modified), DataProperties, CategoryGroups, every code list (the
Perioden list with CBS's period statuses), and the TypedDataSet cells of the catalogue's slice
(every yearly cell of the configured measures, groups and held totals), each saved as the
OData answer CBS gives (`{"odata.metadata": ..., "value": [...]}`). The table's folder is
replaced whole, only after everything was read; sources.csv gets the table's figures and
README.md a line saying when and from where it was recorded. What changed against the previous
snapshot is returned, figure by figure.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from via_pipeline.core.cbs.catalogue import TableConfig
from via_pipeline.core.cbs.client import CbsClient, CbsError, SnapshotCbsClient
from via_pipeline.core.cbs.ingest import fetch_table
from via_pipeline.core.cbs.matching import CatalogueMismatchError, dimensions_of
from via_pipeline.core.cbs.resolution import resolve_layout
from via_pipeline.core.files.spreadsheet import csv_safe

SOURCES_FILE = "sources.csv"
README_FILE = "README.md"
SOURCES_COLUMNS = ["table_id", "measure", "population_group", "period", "value", "unit", "source"]
RECORDED_HEADING = "## Recorded from CBS"
# Also read by core/letter/availability.py (which imports these names from here).
RECORDINGS_FILE = "recordings.csv"
RECORDINGS_COLUMNS = ["table_id", "recorded_on", "recorded_from"]


@dataclass(frozen=True)
class FigureChange:
    measure: str
    population_group: str
    period: str
    before: float | None
    after: float | None

    def describe(self) -> str:
        def show(value: float | None) -> str:
            return "empty" if value is None else f"{value:g}"

        return (
            f"{self.measure}, {self.population_group}, {self.period}: "
            f"{show(self.before)} -> {show(self.after)}"
        )


@dataclass(frozen=True)
class RecordedTable:
    table_id: str
    modified: str | None
    figures: int
    changes: tuple[FigureChange, ...]
    recorded_at: datetime
    source: str


def _document(table_id: str, entity: str, value: Any, base: str) -> dict[str, Any]:
    return {
        "odata.metadata": f"{base}/ODataFeed/odata/{table_id}/$metadata#Cbs.OData.WebAPI.{entity}",
        "value": value,
    }


def _figures(observations: pd.DataFrame) -> dict[tuple[str, str, str], float | None]:
    return {
        (str(r.measure_title), str(r.population_group_title), str(r.period_code)): (
            None if pd.isna(r.value) else float(r.value)
        )
        for r in observations.itertuples(index=False)
    }


def _previous_figures(
    snapshot_dir: Path, config: TableConfig
) -> dict[tuple[str, str, str], float | None]:
    """The figures of the snapshot being replaced; none when it is absent or of another shape."""
    if not (snapshot_dir / config.table_id).is_dir():
        return {}
    try:
        return _figures(fetch_table(SnapshotCbsClient(snapshot_dir), config).observations)
    except (CbsError, CatalogueMismatchError):
        return {}


def record_table(
    client: CbsClient,
    config: TableConfig,
    snapshot_dir: Path,
    progress: Callable[[str], None] = lambda line: None,
) -> RecordedTable:
    """Read one table from `client` and replace its snapshot folder with what was read."""
    table_id = config.table_id
    base = client.describe() if client.describe().startswith("http") else "https://opendata.cbs.nl"
    progress(f"{table_id}: reading TableInfos, DataProperties and code lists")
    info = client.table_info(table_id)
    properties = client.entity(table_id, "DataProperties")
    entities: dict[str, Any] = {
        "TableInfos": [info],
        "DataProperties": properties,
        "CategoryGroups": client.entity(table_id, "CategoryGroups"),
    }
    code_lists = {}
    for dimension in dimensions_of(properties):
        key = str(dimension["Key"])
        code_lists[key] = entities[key] = client.entity(table_id, key)
    layout = resolve_layout(config, properties, code_lists)
    progress(f"{table_id}: reading the catalogue's cells (TypedDataSet)")
    entities["TypedDataSet"] = client.data(table_id, layout.filter_text(), layout.select())

    previous = _previous_figures(snapshot_dir, config)
    staging = snapshot_dir / f".{table_id}.recording"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name, value in entities.items():
        (staging / f"{name}.json").write_text(
            json.dumps(_document(table_id, name, value, base), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
    target = snapshot_dir / table_id
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)

    recorded = fetch_table(SnapshotCbsClient(snapshot_dir), config).observations
    current = _figures(recorded)
    changes = tuple(
        FigureChange(measure, group, period, previous.get(cell), current.get(cell))
        for cell in sorted(set(previous) | set(current))
        for measure, group, period in [cell]
        if previous.get(cell) != current.get(cell)
    )
    modified = info.get("Modified")
    result = RecordedTable(
        table_id,
        None if modified in (None, "") else str(modified),
        int(recorded["value"].notna().sum()),
        changes,
        datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        client.describe(),
    )
    _write_sources(snapshot_dir, config, recorded, result)
    _write_recording(snapshot_dir, result)
    _write_readme_line(snapshot_dir, result)
    return result


def _write_recording(snapshot_dir: Path, recorded: RecordedTable) -> None:
    """recordings.csv: the table's recording date and source (the run's summary and `status`
    name the date when they count the key figures the snapshot leaves unavailable)."""
    path = snapshot_dir / RECORDINGS_FILE
    rows: list[dict[str, str]] = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["table_id"] != recorded.table_id]
    rows.append(
        {
            "table_id": recorded.table_id,
            "recorded_on": recorded.recorded_at.date().isoformat(),
            "recorded_from": f"{recorded.source}/ODataFeed/odata/{recorded.table_id}",
        }
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, RECORDINGS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["table_id"]))
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _write_sources(
    snapshot_dir: Path, config: TableConfig, observations: pd.DataFrame, recorded: RecordedTable
) -> None:
    """sources.csv: the table's rows replaced by one per recorded figure, naming where from."""
    path = snapshot_dir / SOURCES_FILE
    rows: list[dict[str, str]] = []
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["table_id"] != config.table_id]
    source = (
        f"{recorded.source}/ODataFeed/odata/{config.table_id} "
        f"(Modified {recorded.modified or 'not given'}, recorded {recorded.recorded_at.isoformat()})"
    )
    for r in observations.itertuples(index=False):
        if pd.isna(r.value):
            continue
        rows.append(
            {
                "table_id": config.table_id,
                "measure": str(r.measure_title),
                "population_group": str(r.population_group_title),
                "period": str(r.year),
                "value": f"{float(r.value):g}" if float(r.value) % 1 else f"{float(r.value):.1f}",
                "unit": "" if r.unit is None else str(r.unit),
                "source": source,
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, SOURCES_COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Titles are CBS's text, opened in a spreadsheet by reviewers: through csv_safe (a value that
    # is a number, like -0.4, stays a number; csv_safe is idempotent on rows read back).
    writer.writerows(
        {
            key: value if key in ("period", "value") else str(csv_safe(value))
            for key, value in row.items()
        }
        for row in rows
    )
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _write_readme_line(snapshot_dir: Path, recorded: RecordedTable) -> None:
    """README.md: one line per recorded table under RECORDED_HEADING (the section is ours)."""
    path = snapshot_dir / README_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else "# Bundled CBS snapshot\n"
    line = (
        f"- `{recorded.table_id}`: recorded {recorded.recorded_at.isoformat()} UTC from "
        f"{recorded.source}, Modified {recorded.modified or 'not given'}, "
        f"{recorded.figures} figures (`via-pipeline cbs record`)."
    )
    head, found, section = text.partition(RECORDED_HEADING)
    lines = [
        existing
        for existing in section.strip("\n").splitlines()
        if existing.strip() and not existing.startswith(f"- `{recorded.table_id}`")
    ]
    if not found:
        head = text.rstrip("\n") + "\n\n"
    body = "\n".join(sorted([*lines, line]))
    path.write_text(f"{head}{RECORDED_HEADING}\n\n{body}\n", encoding="utf-8")
