"""Quarterly CBS vintages on both engines (migration 0017): three versions of 85456NED's
quarters are kept, as of each version and each moment gives that version's quarters, and the
migration turns a warehouse's existing quarterly rows into their table's first vintage."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import FetchedTable, fetch_table
from via_pipeline.core.cbs.quarter_vintages import (
    QUARTERLY_VINTAGES_TABLE,
    quarterly_as_of,
    quarterly_at_version,
    restore_quarterly,
)
from via_pipeline.core.cbs.vintages import VERSION_COLUMNS, record_vintage
from via_pipeline.core.settings.paths import MIGRATIONS_DIR
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.cbs_replay import Recording
from via_pipeline_tests.support.cbs_tables import (
    MemoryClient,
    Table,
    recording,
    table_82809,
    table_85456_running_year,
)

TABLE = "85456NED"
MEASURE = "Werkloosheidspercentage"
# The quarter CBS revises and the cell looked at: Buiten Europa at the held totals.
PERIOD = "2023KW02"
T0 = datetime(2023, 11, 20, 9, 0)
VERSIONS = ("2023-11-15T02:00:00", "2023-12-15T02:00:00", "2024-01-15T02:00:00")


def served(modified: str, bump: float) -> Recording:
    """85456NED as CBS serves it at `modified`: quarters to 2023KW03, Buiten Europa's
    unemployment in 2023KW02 raised by `bump` in every cell of the table."""
    table: Table = dataclasses.replace(table_85456_running_year(), modified=modified)
    answer = recording(table_82809(), table)
    origin = next(d for d in table.dimensions if d.key == "Herkomstland")
    outside = next(c.key for c in origin.categories if c.title == "Buiten Europa")
    measure = next(m.key for m in table.measures if m.title == MEASURE)
    for row in answer[TABLE]["TypedDataSet"]:
        if row["Perioden"] == PERIOD and row["Herkomstland"].strip() == outside:
            row[measure] = round(row[measure] + bump, 1)
    return answer


def fetched(answer: Recording, taken_at: datetime) -> FetchedTable:
    table = fetch_table(MemoryClient(answer), load_catalogue().table(TABLE))
    return dataclasses.replace(table, fetched_at=taken_at)


def take(store: WarehouseStore, table: FetchedTable) -> None:
    """What the ingest does: current quarters replaced, the take kept as a vintage."""
    with store.transaction() as conn:
        store.replace("cbs.quarterly_observations", table.quarterly, {"table_id": TABLE}, conn)
        record_vintage(store, conn, table)


def outside(frame: pd.DataFrame, period: str = PERIOD) -> float:
    """Buiten Europa's unemployment rate of `period` (the held totals; no breakdown cell)."""
    rows = frame[
        (frame["period_code"] == period)
        & (frame["measure_title"] == MEASURE)
        & (frame["population_group_title"] == "Buiten Europa")
    ]
    (value,) = rows["value"].tolist()
    return float(value)


def test_three_vintages_of_quarters_are_kept_and_as_of_gives_each(store: WarehouseStore) -> None:
    takes = [
        fetched(served(modified, bump), T0 + timedelta(days=30 * i))
        for i, (modified, bump) in enumerate(zip(VERSIONS, (0.0, 0.9, -0.4), strict=True))
    ]
    for table in takes:
        take(store, table)
    first = outside(takes[0].quarterly)
    assert [outside(t.quarterly) for t in takes] == [
        first,
        round(first + 0.9, 1),
        round(first - 0.4, 1),
    ]
    per_take = len(takes[0].quarterly)
    assert per_take > 0
    assert store.count(QUARTERLY_VINTAGES_TABLE) == 3 * per_take
    for i, (modified, table) in enumerate(zip(VERSIONS, takes, strict=True)):
        version = f"modified:{modified}"
        at_version = quarterly_at_version(store, TABLE, version)
        assert len(at_version) == per_take
        assert set(at_version["source_version"]) == {version}
        assert outside(at_version) == outside(table.quarterly)
        # An unrevised quarter is the same in every vintage.
        assert outside(at_version, "2023KW01") == outside(takes[0].quarterly, "2023KW01")
        as_of = quarterly_as_of(store, T0 + timedelta(days=30 * i, hours=1))
        assert outside(as_of) == outside(table.quarterly)
    assert quarterly_as_of(store, T0 - timedelta(days=1)).empty
    # The current quarters are the newest vintage's; taking it again adds nothing.
    assert outside(store.read_table("cbs.quarterly_observations")) == round(first - 0.4, 1)
    take(store, fetched(served(VERSIONS[2], -0.4), T0 + timedelta(days=90)))
    assert store.count(QUARTERLY_VINTAGES_TABLE) == 3 * per_take


def test_restore_writes_a_versions_quarters_as_the_ingest_wrote_them(
    store: WarehouseStore, tmp_path: Path
) -> None:
    first = fetched(served(VERSIONS[0], 0.0), T0)
    take(store, first)
    take(store, fetched(served(VERSIONS[1], 0.9), T0 + timedelta(days=30)))
    scratch = WarehouseStore(f"duckdb:///{tmp_path / 'scratch.duckdb'}")
    try:
        scratch.migrate()
        assert restore_quarterly(store, scratch, {TABLE: f"modified:{VERSIONS[0]}"}) == len(
            first.quarterly
        )
        restored = scratch.read_table("cbs.quarterly_observations")
        key = ["period_code", "population_group_key", "measure_key"]
        pd.testing.assert_frame_equal(
            restored.sort_values(key, ignore_index=True),
            first.quarterly.sort_values(key, ignore_index=True),
            check_dtype=False,
        )
    finally:
        scratch.dispose()


def test_migration_makes_the_stored_quarters_their_tables_first_vintage(
    warehouse_url: str, tmp_path: Path
) -> None:
    before = tmp_path / "migrations_before_0017"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0017":
            shutil.copy(path, before / path.name)
    store = WarehouseStore(warehouse_url)
    try:
        store.migrate(before)
        old, current = (
            fetched(served(VERSIONS[0], 0.0), T0),
            fetched(served(VERSIONS[1], 0.9), T0 + timedelta(days=30)),
        )
        # Before 0017: two takes recorded, the quarterly rows those of the newest (replaced).
        takes = [
            {
                "table_id": TABLE,
                "source_version": f"modified:{table.version.modified:%Y-%m-%dT%H:%M:%S}",
                "source": "live",
                "title": table.version.title,
                "modified": table.version.modified,
                "taken_at": table.fetched_at,
                "row_count": len(table.observations),
            }
            for table in (old, current)
        ]
        store.insert("cbs.table_versions", pd.DataFrame(takes, columns=VERSION_COLUMNS))
        store.insert("cbs.quarterly_observations", current.quarterly)

        assert store.migrate() == ["0017_create_cbs_quarterly_vintages.sql"]

        newest = quarterly_at_version(store, TABLE, f"modified:{VERSIONS[1]}")
        assert len(newest) == len(current.quarterly)
        assert outside(newest) == outside(current.quarterly)
        assert quarterly_at_version(store, TABLE, f"modified:{VERSIONS[0]}").empty
        assert outside(quarterly_as_of(store, T0 + timedelta(days=31))) == outside(
            current.quarterly
        )
        # The next version taken is the second quarterly vintage; the first stays.
        take(store, fetched(served(VERSIONS[2], -0.4), T0 + timedelta(days=60)))
        assert outside(quarterly_at_version(store, TABLE, f"modified:{VERSIONS[1]}")) == outside(
            current.quarterly
        )
        assert store.count(QUARTERLY_VINTAGES_TABLE) == 2 * len(current.quarterly)
    finally:
        store.dispose()


def test_without_modified_a_revised_quarter_alone_is_a_new_vintage(store: WarehouseStore) -> None:
    """A take CBS gave no Modified is a new vintage when its rows change: its quarters count,
    so a letter built on the revised quarter is not recorded under the earlier vintage."""

    def unversioned(bump: float) -> Recording:
        answer = served(VERSIONS[0], bump)
        answer[TABLE]["TableInfos"][0]["Modified"] = None
        return answer

    take(store, fetched(unversioned(0.0), T0))
    take(store, fetched(unversioned(0.0), T0 + timedelta(hours=1)))
    assert store.count("cbs.table_versions") == 1
    take(store, fetched(unversioned(0.9), T0 + timedelta(hours=2)))
    versions = store.read("SELECT source_version FROM cbs.table_versions ORDER BY taken_at")[
        "source_version"
    ].tolist()
    assert versions == ["unversioned:2023-11-20 09:00:00", "unversioned:2023-11-20 11:00:00"]
    before, after = (quarterly_at_version(store, TABLE, v) for v in versions)
    assert outside(after) == round(outside(before) + 0.9, 1)
    # The yearly rows, unchanged, are kept under the new vintage as well.
    assert store.count("cbs.observation_vintages", {"source_version": versions[1]}) == store.count(
        "cbs.observation_vintages", {"source_version": versions[0]}
    )
