"""Guards the CBS vintages (issue 22) on DuckDB and PostgreSQL: every version of a table taken
keeps its rows, the current figures (cbs.observations, monitor.indicators) are the newest
vintage, as-of by version and by time gives each vintage's values, taking a version again adds
nothing, and migration 0013 turns an existing warehouse's rows into its first vintage.

85456NED is served as CBS publishes it (support/cbs_tables.py), in three versions: the revision
of issue 22 (Buiten Europa 2022 6.4 -> 6.8, 2022 Voorlopig -> Definitief, Modified
2024-03-01), then a release that adds a year. The two 2022 values are the issue's scenario,
set on that one cell; every other cell is the generator's."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import FetchedTable, build_indicators, fetch_table
from via_pipeline.core.cbs.observations import OBSERVATION_COLUMNS
from via_pipeline.core.cbs.vintages import (
    VintageError,
    current_versions,
    observations_as_of,
    observations_at_version,
    observations_at_versions,
    record_vintage,
    resolution_at_version,
    table_versions,
    versions_as_of,
)
from via_pipeline.core.settings.paths import MIGRATIONS_DIR
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.cbs_replay import CbsReplayServer, Recording
from via_pipeline_tests.support.cbs_tables import MemoryClient, recording, table_82809, table_85456

TABLE = "85456NED"
# The held totals and the Buiten Europa category of 85456NED (reference/cbs_table_structures.md).
OUTSIDE_EUROPE_CELL = {
    "Geslacht": "T001038",
    "Startkwalificatie": "T001456",
    "GeboortelandOuders": "T001638",
    "Herkomstland": "H008859",
}
UNEMPLOYMENT = "Werkloosheidspercentage_5"
# (Modified, last year, provisional years, Buiten Europa 2022 unemployment)
VINTAGES = (
    ("2023-03-01T02:00:00", 2022, (2022,), 6.4),
    ("2024-03-01T02:00:00", 2023, (2023,), 6.8),
    ("2025-03-01T02:00:00", 2024, (2024,), 6.8),
)
ORDER = ["table_id", "period_code", "population_group_key", "measure_key"]


def served_85456(
    modified: str, last_year: int, provisional: tuple[int, ...], outside: float
) -> Recording:
    table = dataclasses.replace(
        table_85456(), modified=modified, last_year=last_year, provisional_years=provisional
    )
    served = recording(table_82809(), table)
    for row in served[TABLE]["TypedDataSet"]:
        if row["Perioden"] == "2022JJ00" and all(
            row[d].strip() == key for d, key in OUTSIDE_EUROPE_CELL.items()
        ):
            row[UNEMPLOYMENT] = outside
    return served


def outside_2022(frame: pd.DataFrame) -> tuple[float, bool]:
    """Buiten Europa's 2022 unemployment rate and provisional flag in an observations frame."""
    cell = frame[
        (frame["table_id"] == TABLE)
        & (frame["period_code"] == "2022JJ00")
        & (frame["population_group_title"] == "Buiten Europa")
        & (frame["measure_title"] == "Werkloosheidspercentage")
    ]
    assert len(cell) == 1
    return float(cell.iloc[0]["value"]), bool(cell.iloc[0]["provisional"])


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame[OBSERVATION_COLUMNS].astype(
        {"year": "int64", "provisional": "bool", "value": "float64"}
    )
    text = [c for c in OBSERVATION_COLUMNS if c not in ("year", "provisional", "value")]
    result = result.astype(dict.fromkeys(text, object))
    return result.sort_values(ORDER, ignore_index=True)


# -- through the ingest asset, against the replay server ------------------------------------------


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(served_85456(*VINTAGES[0])) as server:
        monkeypatch.setenv("VIA_CBS_CATALOG_URL", server.catalog_url)
        monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
        monkeypatch.setenv("VIA_CBS_SOURCE", "live")
        yield server


def ingest(store: WarehouseStore) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        [cbs_tables_and_observations, monitor_indicators],
        resources={
            "warehouse": Warehouse(url=store.url),
            "cbs": CbsStatLine(timeout_seconds=2.0, retries=2, backoff_seconds=0.01),
        },
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def serve(
    server: CbsReplayServer, modified: str, last: int, prov: tuple[int, ...], v: float
) -> None:
    server.recording[TABLE] = served_85456(modified, last, prov, v)[TABLE]


def test_three_vintages_are_kept_and_as_of_gives_each_one(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    taken: list[tuple[str, datetime]] = []
    for number, vintage in enumerate(VINTAGES):
        if number:
            serve(replay, *vintage)
        ingest(store)
        newest = current_versions(store)[TABLE]
        assert newest.source_version == f"modified:{vintage[0]}"
        taken.append((newest.source_version, newest.taken_at))

    versions = table_versions(store, TABLE)
    assert [v.source_version for v in versions] == [f"modified:{v[0]}" for v in VINTAGES]
    assert [v.modified for v in versions] == [datetime.fromisoformat(v[0]) for v in VINTAGES]
    # 82809NED did not change: one take only.
    assert len(table_versions(store, "82809NED")) == 1

    for (source_version, taken_at), (_, last_year, _, value) in zip(taken, VINTAGES, strict=True):
        by_version = observations_at_version(store, TABLE, source_version)
        by_time = observations_as_of(store, taken_at)
        by_time = by_time[by_time["table_id"] == TABLE]
        pd.testing.assert_frame_equal(canonical(by_version), canonical(by_time))
        assert set(by_version["source_version"]) == {source_version}
        assert int(by_version["year"].max()) == last_year
        assert outside_2022(by_version) == (value, source_version == taken[0][0])
        # 15 groups and cells, 2 measures, from 2013 to the version's last year
        assert len(by_version) == 15 * 2 * (last_year - 2013 + 1)
        assert versions_as_of(store, taken_at)[TABLE].source_version == source_version
        measures, held = resolution_at_version(store, TABLE, source_version)
        assert list(zip(measures.indicator, measures.decimals, strict=True)) == [
            ("net_participation_rate", 1),
            ("unemployment_rate", 1),
        ]
        assert list(held.category_title) == ["Totaal", "Totaal mannen en vrouwen", "Totaal"]
    before = observations_as_of(store, taken[0][1] - timedelta(microseconds=1))
    assert TABLE not in set(before["table_id"])
    between = taken[1][1] + (taken[2][1] - taken[1][1]) / 2
    assert set(observations_as_of(store, between).query("table_id == @TABLE").source_version) == {
        taken[1][0]
    }

    # The current figures are the newest vintage, and monitor.indicators is built from them.
    current = store.read_table("cbs.observations")
    newest_rows = observations_at_versions(
        store, {t: v.source_version for t, v in current_versions(store).items()}
    )
    pd.testing.assert_frame_equal(canonical(current), canonical(newest_rows))
    indicators = store.read(
        "SELECT value, provisional FROM monitor.indicators WHERE source_table = :t AND year = 2022 "
        "AND population_group = 'outside_europe_origin' AND indicator = 'unemployment_rate'",
        {"t": TABLE},
    )
    assert (float(indicators.value[0]), bool(indicators.provisional[0])) == (6.8, False)
    pd.testing.assert_frame_equal(
        build_indicators(load_catalogue(), store.read_table("cbs.observations")),
        build_indicators(load_catalogue(), newest_rows),
    )

    # The first vintage still gives the letter as it was: 6.4, provisional.
    first = build_indicators(load_catalogue(), observations_at_version(store, TABLE, taken[0][0]))
    row = first[
        (first.year == 2022)
        & (first.population_group == "outside_europe_origin")
        & (first.indicator == "unemployment_rate")
    ]
    assert (float(row.value.iloc[0]), bool(row.provisional.iloc[0])) == (6.4, True)

    # Taking the same version again adds nothing.
    counts = (store.count("cbs.table_versions"), store.count("cbs.observation_vintages"))
    ingest(store)
    assert (store.count("cbs.table_versions"), store.count("cbs.observation_vintages")) == counts


# -- the vintage writer itself, with tables read through the in-memory client ---------------------


def fetched(served: Recording, taken_at: datetime) -> FetchedTable:
    table = fetch_table(MemoryClient(served), load_catalogue().table(TABLE))
    return dataclasses.replace(table, fetched_at=taken_at)


def take(store: WarehouseStore, table: FetchedTable) -> int:
    """What the ingest does with a fetched table: current rows replaced, vintage kept."""
    with store.transaction() as conn:
        store.replace("cbs.observations", table.observations, {"table_id": TABLE}, conn)
        return record_vintage(store, conn, table)


T0 = datetime(2026, 12, 1, 9, 0)


def test_taking_the_same_version_twice_adds_nothing(store: WarehouseStore) -> None:
    first = fetched(served_85456(*VINTAGES[0]), T0)
    assert take(store, first) == len(first.observations) == 300
    again = fetched(served_85456(*VINTAGES[0]), T0 + timedelta(hours=1))
    assert take(store, again) == 0
    assert [(v.source_version, v.taken_at) for v in table_versions(store)] == [
        ("modified:2023-03-01T02:00:00", T0)
    ]
    assert store.count("cbs.observation_vintages") == 300


def test_a_version_taken_again_after_another_is_a_new_take_of_the_rows_kept(
    store: WarehouseStore,
) -> None:
    """CBS going back to an earlier version: as of that moment the table stands at it again."""
    take(store, fetched(served_85456(*VINTAGES[0]), T0))
    take(store, fetched(served_85456(*VINTAGES[1]), T0 + timedelta(days=1)))
    assert take(store, fetched(served_85456(*VINTAGES[0]), T0 + timedelta(days=2))) == 0
    assert [v.source_version for v in table_versions(store)] == [
        "modified:2023-03-01T02:00:00",
        "modified:2024-03-01T02:00:00",
        "modified:2023-03-01T02:00:00",
    ]
    assert store.count("cbs.observation_vintages") == 300 + 15 * 2 * 11
    assert outside_2022(observations_as_of(store, T0 + timedelta(days=1))) == (6.8, False)
    assert outside_2022(observations_as_of(store, T0 + timedelta(days=3))) == (6.4, True)


def test_a_table_without_modified_is_a_new_vintage_only_when_its_rows_change(
    store: WarehouseStore,
) -> None:
    served = served_85456(*VINTAGES[0])
    served[TABLE]["TableInfos"][0]["Modified"] = None
    assert take(store, fetched(served, T0)) == 300
    assert take(store, fetched(served, T0 + timedelta(hours=1))) == 0
    revised = served_85456(*VINTAGES[1])
    revised[TABLE]["TableInfos"][0]["Modified"] = None
    assert take(store, fetched(revised, T0 + timedelta(hours=2))) == 330
    assert [v.source_version for v in table_versions(store)] == [
        "unversioned:2026-12-01 09:00:00",
        "unversioned:2026-12-01 11:00:00",
    ]


def test_a_version_never_taken_is_refused_naming_the_versions_kept(store: WarehouseStore) -> None:
    take(store, fetched(served_85456(*VINTAGES[0]), T0))
    with pytest.raises(VintageError) as raised:
        observations_at_version(store, TABLE, "modified:2024-03-01T02:00:00")
    assert str(raised.value) == (
        "CBS table 85456NED: version 'modified:2024-03-01T02:00:00' was never taken; "
        "kept: modified:2023-03-01T02:00:00"
    )


# -- migration 0013 on a warehouse that had no vintages ----------------------------------------


def test_migration_makes_the_stored_rows_each_tables_first_vintage(
    warehouse_url: str, tmp_path: Path
) -> None:
    before = tmp_path / "migrations_before_0013"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0013":
            shutil.copy(path, before / path.name)
    store = WarehouseStore(warehouse_url)
    try:
        store.migrate(before)
        old = fetched(served_85456(*VINTAGES[0]), T0)
        store.insert("cbs.observations", old.observations)
        store.insert("cbs.measures", old.measure_rows())
        store.insert("cbs.held_dimensions", old.held_rows())
        row: dict[str, Any] = old.table_row()
        store.insert("cbs.tables", pd.DataFrame([row]))
        unversioned = {**row, "table_id": "82809NED", "source_version": None, "row_count": 0}
        store.insert("cbs.tables", pd.DataFrame([unversioned]))

        assert store.migrate()[0] == "0013_create_cbs_vintages.sql"  # later ones may follow

        versions = {v.table_id: v for v in table_versions(store)}
        assert versions[TABLE].source_version == "modified:2023-03-01T02:00:00"
        assert versions[TABLE].taken_at == T0
        assert versions[TABLE].row_count == 300
        assert versions["82809NED"].source_version == "unversioned:2026-12-01 09:00:00"
        first = observations_at_version(store, TABLE, "modified:2023-03-01T02:00:00")
        pd.testing.assert_frame_equal(canonical(first), canonical(old.observations))
        assert outside_2022(observations_as_of(store, T0)) == (6.4, True)
        measures, held = resolution_at_version(store, TABLE, "modified:2023-03-01T02:00:00")
        pd.testing.assert_frame_equal(
            measures,
            old.measure_rows().sort_values("measure_key", ignore_index=True),
            check_dtype=False,
        )
        assert len(held) == 3
        # The next version taken is the second vintage; the first stays.
        take(store, fetched(served_85456(*VINTAGES[1]), T0 + timedelta(days=1)))
        assert outside_2022(observations_as_of(store, T0)) == (6.4, True)
        assert outside_2022(store.read_table("cbs.observations")) == (6.8, False)
    finally:
        store.dispose()
