"""From StatLine answers to cbs.observations rows and monitor.indicators rows.

The steps: read a table's version (TableInfos.Modified, or the snapshot's fingerprint) and skip
the table when the warehouse holds that version; otherwise resolve the catalogue against the
table's DataProperties and code lists (core/cbs/resolution.py), ask for only the cells used, and
turn the rows into observations; harmonise observations into indicators. `StatLineReader`
chooses between CBS and the bundled snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from via_pipeline.core.cbs.catalogue import Catalogue, TableConfig
from via_pipeline.core.cbs.client import (
    CbsAnswerError,
    CbsClient,
    CbsError,
    CbsUnavailableError,
    SnapshotCbsClient,
)
from via_pipeline.core.cbs.layout import TableLayout
from via_pipeline.core.cbs.matching import dimensions_of
from via_pipeline.core.cbs.observations import build_observations
from via_pipeline.core.cbs.periods import year_warnings
from via_pipeline.core.cbs.resolution import resolve_layout
from via_pipeline.core.cbs.titles import clean_title, normalise_key, normalise_title
from via_pipeline.core.timestamps import naive_utc

LOG = logging.getLogger(__name__)

TABLE_COLUMNS = [
    "table_id",
    "title",
    "modified",
    "fetched_at",
    "source",
    "row_count",
    "source_version",
]
MEASURE_COLUMNS = [
    "table_id",
    "measure_key",
    "measure_title",
    "indicator",
    "unit",
    "decimals",
]
HELD_DIMENSION_COLUMNS = [
    "table_id",
    "dimension_key",
    "dimension_title",
    "category_key",
    "category_title",
    "chosen_by",
]
INDICATOR_COLUMNS = [
    "source_table",
    "year",
    "population_group",
    "indicator",
    "value",
    "unit",
    "provisional",
]


@dataclass(frozen=True)
class TableVersion:
    """What identifies a table's content: Modified when live, a file hash for the snapshot."""

    table_id: str
    title: str
    modified: datetime | None
    source: str
    version: str | None

    @property
    def comparable(self) -> bool:
        return self.version is not None


def parse_modified(raw: object, table_id: str) -> datetime | None:
    """TableInfos.Modified ("2022-05-13T02:00:00", sometimes with a zone) as naive UTC."""
    if raw in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
    except ValueError:
        raise CbsAnswerError(
            f"CBS table {table_id}: TableInfos.Modified {raw!r} is not a date"
        ) from None
    return naive_utc(moment)


def read_version(client: CbsClient, table_id: str) -> TableVersion:
    """One cheap request (TableInfos): enough to tell whether the table changed."""
    info = client.table_info(table_id)
    title = clean_title(info.get("Title") or table_id)
    modified = parse_modified(info.get("Modified"), table_id)
    if isinstance(client, SnapshotCbsClient):
        version: str | None = f"snapshot-sha256:{client.fingerprint(table_id)}"
    else:
        version = f"modified:{modified.isoformat()}" if modified else None
    return TableVersion(table_id, title, modified, client.source, version)


@dataclass(frozen=True)
class FetchedTable:
    version: TableVersion
    layout: TableLayout
    observations: pd.DataFrame
    fetched_at: datetime
    # cbs.quarterly_observations rows: empty unless the catalogue takes the table's quarters.
    quarterly: pd.DataFrame | None = None

    def table_row(self) -> dict[str, Any]:
        return {
            "table_id": self.version.table_id,
            "title": self.version.title,
            "modified": self.version.modified,
            "fetched_at": self.fetched_at,
            "source": self.version.source,
            "row_count": len(self.observations),
            "source_version": self.version.version,
        }

    def measure_rows(self) -> pd.DataFrame:
        """cbs.measures: how each configured measure resolved in this version, with Decimals."""
        return pd.DataFrame(
            [
                {
                    "table_id": self.version.table_id,
                    "measure_key": normalise_key(m.key),
                    "measure_title": m.title,
                    "indicator": m.indicator,
                    "unit": m.unit,
                    "decimals": m.decimals,
                }
                for m in self.layout.measures
            ],
            columns=MEASURE_COLUMNS,
        ).astype({"decimals": "Int64"})

    def held_rows(self) -> pd.DataFrame:
        """cbs.held_dimensions: the category each non-group dimension was held at."""
        return pd.DataFrame(
            [
                {
                    "table_id": self.version.table_id,
                    "dimension_key": h.dimension_key,
                    "dimension_title": h.dimension_title,
                    "category_key": h.category_key,
                    "category_title": h.category_title,
                    "chosen_by": h.chosen_by,
                }
                for h in self.layout.held
            ],
            columns=HELD_DIMENSION_COLUMNS,
        )


def fetch_table(
    client: CbsClient, config: TableConfig, version: TableVersion | None = None
) -> FetchedTable:
    """Everything configured for one table: metadata, then only the cells used."""
    version = version or read_version(client, config.table_id)
    properties = client.entity(config.table_id, "DataProperties")
    code_lists = {
        str(d["Key"]): client.entity(config.table_id, str(d["Key"]))
        for d in dimensions_of(properties)
    }
    layout = resolve_layout(config, properties, code_lists)
    rows = client.data(config.table_id, layout.filter_text(), layout.select())
    observations = build_observations(layout, rows)
    quarterly = fetch_quarters(client, config, layout, code_lists, version)
    return FetchedTable(
        version, layout, observations, datetime.now(UTC).replace(tzinfo=None), quarterly
    )


def fetch_quarters(
    client: CbsClient,
    config: TableConfig,
    layout: TableLayout,
    code_lists: dict[str, list[Any]],
    version: TableVersion,
) -> pd.DataFrame:
    """The slice's quarterly cells, in a second data request (only for a table the catalogue
    takes quarters of, and only when its Perioden code list has quarters)."""
    from via_pipeline.core.cbs.quarters import (
        QUARTER_MARK,
        QUARTERLY_OBSERVATION_COLUMNS,
        build_quarterly_observations,
        quarterly_periods,
    )

    quarters = (
        quarterly_periods(code_lists.get(layout.period_dimension, [])) if config.quarters else {}
    )
    if not quarters:
        return pd.DataFrame(columns=QUARTERLY_OBSERVATION_COLUMNS)
    rows = client.data(config.table_id, layout.filter_text(QUARTER_MARK), layout.select())
    return build_quarterly_observations(layout, quarters, rows, version.version)


# -- choosing between live and snapshot, and skipping unchanged tables ----------------------------


@dataclass(frozen=True)
class StoredTable:
    """What cbs.tables says about the last ingest of a table."""

    source: str
    source_version: str | None
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class TableOutcome:
    table_id: str
    action: str  # "fetched", "unchanged" or "kept_live"
    version: TableVersion
    fetched: FetchedTable | None
    message: str
    notes: tuple[str, ...] = ()  # held dimensions, groups left out: said in the run output


FALLBACK_ERRORS = (CbsUnavailableError, CbsAnswerError)


class StatLineReader:
    """Reads the catalogue's tables from CBS, the snapshot, or CBS falling back to the snapshot.

    mode "live": every CBS problem is an error. mode "snapshot": the bundled files only.
    mode "auto": CBS first; when it is unreachable or answers garbage (not when it refuses a
    request, and not when the table no longer matches the catalogue) the snapshot is used,
    and the `warn` callback says so.
    """

    def __init__(
        self,
        mode: str,
        live: CbsClient | None,
        snapshot: SnapshotCbsClient,
        warn: Callable[[str], None] = LOG.warning,
    ) -> None:
        if mode not in ("live", "snapshot", "auto"):
            raise ValueError(f"unknown CBS source mode {mode!r}")
        if mode != "snapshot" and live is None:
            raise ValueError(f"CBS source mode {mode!r} needs a live client")
        self.mode = mode
        self.live = live
        self.snapshot = snapshot
        self.warn = warn

    def _fallback(self, table_id: str, error: CbsError) -> None:
        self.warn(f"CBS unavailable for {table_id}, using the bundled snapshot instead: {error}")

    def version(self, table_id: str) -> TableVersion:
        if self.mode == "snapshot" or self.live is None:
            return read_version(self.snapshot, table_id)
        try:
            return read_version(self.live, table_id)
        except FALLBACK_ERRORS as error:
            if self.mode == "live":
                raise
            self._fallback(table_id, error)
            return read_version(self.snapshot, table_id)

    def fetch(self, config: TableConfig, version: TableVersion) -> FetchedTable:
        if version.source == "snapshot" or self.live is None:
            return fetch_table(self.snapshot, config, version)
        try:
            return fetch_table(self.live, config, version)
        except FALLBACK_ERRORS as error:
            if self.mode == "live":
                raise
            self._fallback(config.table_id, error)
            return fetch_table(self.snapshot, config, read_version(self.snapshot, config.table_id))

    def refresh(self, config: TableConfig, stored: StoredTable | None) -> TableOutcome:
        """Fetch the table unless the warehouse already holds this version of it."""
        version = self.version(config.table_id)
        table_id = config.table_id
        if (
            stored is not None
            and version.comparable
            and stored.source == version.source
            and stored.source_version == version.version
        ):
            return TableOutcome(
                table_id,
                "unchanged",
                version,
                None,
                f"{table_id}: unchanged ({version.version}), not downloaded",
            )
        if (
            stored is not None
            and stored.source == "live"
            and version.source == "snapshot"
            and self.mode == "auto"
        ):
            # Never replace figures read from CBS by the older, sparser snapshot.
            message = (
                f"{table_id}: CBS unavailable; keeping the live figures already stored "
                f"({stored.source_version})"
            )
            self.warn(message)
            return TableOutcome(table_id, "kept_live", version, None, message)
        fetched = self.fetch(config, version)
        if (
            stored is not None
            and stored.source == "live"
            and fetched.version.source == "snapshot"
            and self.mode == "auto"
        ):
            message = (
                f"{table_id}: CBS unavailable; keeping the live figures already stored "
                f"({stored.source_version})"
            )
            self.warn(message)
            return TableOutcome(table_id, "kept_live", fetched.version, None, message)
        for warning in year_warnings(
            config, fetched.layout.years, stored.years if stored is not None else ()
        ):
            self.warn(warning)
        return TableOutcome(
            table_id,
            "fetched",
            fetched.version,
            fetched,
            f"{table_id}: {len(fetched.observations)} observations from "
            f"{fetched.version.source} ({fetched.version.version}), years "
            f"{_span(fetched.layout.years)}",
            tuple(fetched.layout.notes()),
        )


def _span(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if years else "none"


# -- harmonised indicators ------------------------------------------------------------------------


def group_code(config: TableConfig, key: str, title: str) -> str | None:
    """The monitor's group code for a stored observation's category (by key or title)."""
    for item in config.groups:
        if (item.key and normalise_key(item.key) == normalise_key(key)) or normalise_title(
            item.title
        ) == normalise_title(title):
            return item.group
    # A cell group is stored under its categories' titles joined (core/cbs/resolution.py).
    for cell in config.cells:
        if normalise_title(cell.composite_title) == normalise_title(title):
            return cell.group
    return None


def indicator_rows(
    catalogue: Catalogue, observations: pd.DataFrame
) -> Iterator[tuple[str, Any, str, str]]:
    """(table id, observation row, group code, indicator code) of each stored CBS observation
    the catalogue names: the one mapping of yearly and quarterly rows to the monitor's codes."""
    for table in catalogue.tables:
        rows = observations[observations["table_id"] == table.table_id]
        indicators = {normalise_title(m.title): m.indicator for m in table.measures}
        for row in rows.itertuples(index=False):
            indicator = indicators.get(normalise_title(row.measure_title))
            group = group_code(
                table, str(row.population_group_key), str(row.population_group_title)
            )
            if indicator is not None and group is not None:
                yield table.table_id, row, group, indicator


def build_indicators(catalogue: Catalogue, observations: pd.DataFrame) -> pd.DataFrame:
    """monitor.indicators rows from cbs.observations: group and indicator codes, unit."""
    records = [
        {
            "source_table": table_id,
            "year": int(row.year),
            "population_group": group,
            "indicator": indicator,
            "value": None if pd.isna(row.value) else float(row.value),
            "unit": catalogue.indicator(indicator).unit,
            "provisional": bool(row.provisional),
        }
        for table_id, row, group, indicator in indicator_rows(catalogue, observations)
    ]
    frame = pd.DataFrame.from_records(records, columns=INDICATOR_COLUMNS)
    return frame.astype({"year": "int64", "provisional": "bool", "value": "float64"}).sort_values(
        ["source_table", "indicator", "population_group", "year"], ignore_index=True
    )
