"""CBS StatLine to the warehouse: table versions, cbs.tables and cbs.observations, monitor.indicators.

Each asset reads through core (core/cbs), writes through the warehouse resource in one
transaction, and validates what it is about to write with the suites of core/cbs/suites.py
first: a failed blocking check, a CBS outage or a table that no longer matches the catalogue
leaves the previous tables exactly as they were.
"""

import hashlib
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.cbs.check_names import CHECK_DESCRIPTIONS, CHECK_NAMES
from via_pipeline.core.cbs.client import CbsError
from via_pipeline.core.cbs.matching import CatalogueMismatchError
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.metadata import table_metadata
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    import pandas as pd

    from via_pipeline.core.cbs.catalogue import Catalogue
    from via_pipeline.core.cbs.ingest import (
        StoredTable,
        TableOutcome,
    )
    from via_pipeline.core.warehouse import WarehouseStore

STATLINE_KEY = dg.AssetKey(["cbs", "statline"])
TABLES_KEY = dg.AssetKey(["cbs", "tables"])
OBSERVATIONS_KEY = dg.AssetKey(["cbs", "observations"])
INDICATORS_KEY = dg.AssetKey(["monitor", "indicators"])
TABLES_TABLE = "cbs.tables"
MEASURES_TABLE = "cbs.measures"
HELD_TABLE = "cbs.held_dimensions"
OBSERVATIONS_TABLE = "cbs.observations"
INDICATORS_TABLE = "monitor.indicators"
QUARTERLY_OBSERVATIONS_TABLE = "cbs.quarterly_observations"
OWNERS = ["team:via-data"]


def _check_specs(asset_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name, asset=asset_key, description=CHECK_DESCRIPTIONS[name], blocking=True
        )
        for name in CHECK_NAMES
    ]


def _combined_version(versions: Sequence[str | None]) -> dg.DataVersion:
    text = "\n".join(str(version) for version in versions)
    return dg.DataVersion(hashlib.sha256(text.encode()).hexdigest()[:24])


def _stored_tables(store: "WarehouseStore") -> "dict[str, StoredTable]":
    import pandas as pd

    from via_pipeline.core.cbs.ingest import StoredTable

    frame = store.read("SELECT table_id, source, source_version FROM cbs.tables")
    years = store.read("SELECT DISTINCT table_id, year FROM cbs.observations")
    # A table ingested before migration 0007 has no cbs.measures rows (its Decimals) nor
    # cbs.held_dimensions rows: its stored version is treated as unknown, so it is read again.
    resolved = set(store.read("SELECT DISTINCT table_id FROM cbs.measures").table_id)
    return {
        str(row.table_id): StoredTable(
            str(row.source),
            None
            if pd.isna(row.source_version) or row.table_id not in resolved
            else str(row.source_version),
            tuple(sorted(int(y) for y in years.loc[years["table_id"] == row.table_id, "year"])),
        )
        for row in frame.itertuples(index=False)
    }


# Dagster 1.13 marks multi_observable_source_asset beta; it is the observable source that
# Definitions.map_asset_specs (the orchestration policies) accepts, unlike SourceAsset.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    observe_statline = dg.multi_observable_source_asset(
        name="cbs_statline",
        specs=[
            dg.AssetSpec(
                STATLINE_KEY,
                group_name="cbs",
                kinds={"cbs"},
                owners=OWNERS,
                description=(
                    "The published version of every catalogued StatLine table (TableInfos.Modified), "
                    "observed with one request per table."
                ),
            )
        ],
    )


@observe_statline
def cbs_statline(context: dg.AssetExecutionContext, cbs: CbsStatLine) -> dg.ObserveResult:
    """The published version of every catalogued StatLine table: one TableInfos request per
    table (its `Modified` date), or the snapshot's file hash when the snapshot is the source.

    Its data version changes only when a table changed, so automation can tell that
    cbs.tables and cbs.observations need refreshing without downloading any data.
    """
    from via_pipeline.core.cbs.catalogue import load_catalogue

    reader = cbs.reader(warn=context.log.warning)
    versions = [reader.version(table.table_id) for table in load_catalogue().tables]
    return dg.ObserveResult(
        asset_key=STATLINE_KEY,
        data_version=_combined_version([f"{v.source}:{v.version}" for v in versions]),
        metadata={
            f"{v.table_id}": f"{v.source} {v.version or 'no Modified given'} ({v.title})"
            for v in versions
        },
    )


def _record_checks(
    context: dg.AssetExecutionContext,
    store: "WarehouseStore",
    catalogue: "Catalogue",
    frame: "pd.DataFrame",
    asset_key: dg.AssetKey,
    *,
    indicators: bool,
) -> list[dg.AssetCheckResult]:
    from via_pipeline.core.cbs.suites import run_checks

    suite_name = "_".join(asset_key.path)
    results = run_checks(catalogue, frame, indicators=indicators, suite_name=suite_name)
    return [
        check_result_from_suite(store, context.run.run_id, name, results[name], asset_key)
        for name in CHECK_NAMES
    ]


def _failed(results: Sequence[dg.AssetCheckResult]) -> list[str]:
    return [result.check_name or "" for result in results if not result.passed]


@dg.multi_asset(
    name="cbs_tables_and_observations",
    specs=[
        dg.AssetSpec(
            TABLES_KEY,
            group_name="cbs",
            kinds={"duckdb", "postgres", "pandas"},
            owners=OWNERS,
            deps=[STATLINE_KEY],
            description=(
                "One row per catalogued StatLine table: title, Modified, when and from where "
                "(live or snapshot) it was last read, its observation count and version. "
                "Rewritten per table only when that table changed."
            ),
        ),
        dg.AssetSpec(
            OBSERVATIONS_KEY,
            group_name="cbs",
            kinds={"duckdb", "postgres", "pandas"},
            owners=OWNERS,
            deps=[STATLINE_KEY],
            description=(
                "One row per kept StatLine cell: table, yearly period, population group "
                "category and measure, the other dimensions held at one category each (by "
                "config/cbs_tables.yaml, or their total; recorded in cbs.held_dimensions), with "
                "CBS's own keys and titles: the current figures. A table's rows are replaced only "
                "when its Modified date changed; every version taken stays in "
                "cbs.observation_vintages (as-of queries: core/cbs/vintages.py)."
            ),
        ),
    ],
    check_specs=_check_specs(OBSERVATIONS_KEY),
)
def cbs_tables_and_observations(
    context: dg.AssetExecutionContext, cbs: CbsStatLine, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Reads every table of config/cbs_tables.yaml from CBS StatLine (or the bundled snapshot).

    Per table: one TableInfos request; when its Modified date (or the snapshot's hash) equals
    the version stored in cbs.tables, nothing is downloaded and nothing rewritten. Otherwise
    the metadata and only the configured cells (server-side $filter/$select) are downloaded,
    validated, and written with the table's cbs.tables row in one transaction, the new version
    kept as a vintage (cbs.table_versions, cbs.observation_vintages) alongside. With
    VIA_CBS_SOURCE=auto an unreachable CBS means the snapshot, said in the log; figures read
    live before are never replaced by the snapshot's.
    """
    import pandas as pd

    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.ingest import (
        HELD_DIMENSION_COLUMNS,
        MEASURE_COLUMNS,
        TABLE_COLUMNS,
    )
    from via_pipeline.core.cbs.observations import OBSERVATION_COLUMNS
    from via_pipeline.core.cbs.vintages import record_vintage

    catalogue = load_catalogue()
    store = warehouse.migrated_store()
    reader = cbs.reader(warn=context.log.warning)
    stored = _stored_tables(store)
    try:
        outcomes: list[TableOutcome] = [
            reader.refresh(table, stored.get(table.table_id)) for table in catalogue.tables
        ]
    except (CbsError, CatalogueMismatchError) as error:
        raise dg.Failure(
            description=f"CBS ingest failed, nothing written (previous tables intact): {error}"
        ) from error
    for outcome in outcomes:
        context.log.info(outcome.message)
        for note in outcome.notes:
            context.log.info(note)

    fetched = [o.fetched for o in outcomes if o.fetched is not None]
    fetched_ids = [f.version.table_id for f in fetched]
    # The table as it will be after the write: stored rows of the other catalogued tables
    # (rows of a table dropped from the catalogue are no longer checked) plus the new ones.
    kept = store.read_table(OBSERVATIONS_TABLE)
    catalogued = [table.table_id for table in catalogue.tables]
    kept = kept[kept["table_id"].isin(catalogued) & ~kept["table_id"].isin(fetched_ids)]
    observations = (
        pd.concat(
            [kept[OBSERVATION_COLUMNS], *(f.observations for f in fetched)], ignore_index=True
        )
        if fetched
        else kept[OBSERVATION_COLUMNS].reset_index(drop=True)
    )

    check_results = _record_checks(
        context, store, catalogue, observations, OBSERVATIONS_KEY, indicators=False
    )
    failed = _failed(check_results)
    if failed and fetched:
        yield from check_results
        raise dg.Failure(
            description=(
                f"cbs.observations failed the blocking check(s) {', '.join(failed)}; "
                f"the new figures of {', '.join(fetched_ids)} were not written"
            )
        )
    if fetched:
        with store.transaction() as conn:
            for table in fetched:
                where = {"table_id": table.version.table_id}
                store.replace(OBSERVATIONS_TABLE, table.observations, where, conn)
                record_vintage(store, conn, table)
                store.replace(
                    TABLES_TABLE,
                    pd.DataFrame([table.table_row()], columns=TABLE_COLUMNS),
                    where,
                    conn,
                )
                store.replace(MEASURES_TABLE, table.measure_rows()[MEASURE_COLUMNS], where, conn)
                store.replace(HELD_TABLE, table.held_rows()[HELD_DIMENSION_COLUMNS], where, conn)
                if table.quarterly is not None:  # issue 24: the table's quarters, if taken
                    store.replace(QUARTERLY_OBSERVATIONS_TABLE, table.quarterly, where, conn)
    tables = store.read("SELECT * FROM cbs.tables ORDER BY table_id")
    version = _combined_version(
        [f"{row.table_id}:{row.source}:{row.source_version}" for row in tables.itertuples()]
    )
    summary = {
        "changed_tables": ", ".join(fetched_ids) or "none",
        "unchanged_tables": ", ".join(o.table_id for o in outcomes if o.action == "unchanged")
        or "none",
        "kept_live_tables": ", ".join(o.table_id for o in outcomes if o.action == "kept_live")
        or "none",
        "sources": ", ".join(f"{row.table_id}: {row.source}" for row in tables.itertuples())
        or "none",
        "held_dimensions": "; ".join(
            f"{row.table_id} {row.dimension_title} = {row.category_title} ({row.category_key}, "
            f"{row.chosen_by})"
            for row in store.read_table(HELD_TABLE)
            .sort_values(["table_id", "dimension_key"])
            .itertuples()
        )
        or "none",
    }
    yield dg.MaterializeResult(
        asset_key=TABLES_KEY,
        metadata=table_metadata(TABLES_TABLE, tables, **summary),
        data_version=version,
    )
    yield dg.MaterializeResult(
        asset_key=OBSERVATIONS_KEY,
        metadata=table_metadata(OBSERVATIONS_TABLE, observations, **summary),
        data_version=version,
        check_results=check_results,
    )


def _same_rows(left: "pd.DataFrame", right: "pd.DataFrame") -> bool:
    """Whether two monitor.indicators frames hold the same rows, whatever their order or dtypes."""
    from via_pipeline.core.cbs.ingest import INDICATOR_COLUMNS

    if len(left) != len(right):
        return False
    keys = ["source_table", "indicator", "population_group", "year"]

    def canonical(frame: "pd.DataFrame") -> "pd.DataFrame":
        result = frame[INDICATOR_COLUMNS].copy()
        result["year"] = result["year"].astype("int64")
        result["value"] = result["value"].astype("float64").round(9)
        result["provisional"] = result["provisional"].astype(bool)
        result = result.astype(
            {c: object for c in ("source_table", "indicator", "population_group", "unit")}
        )
        return result.sort_values(keys, ignore_index=True)

    return canonical(left).equals(canonical(right))


@dg.asset(
    key=INDICATORS_KEY,
    group_name="monitor",
    kinds={"duckdb", "postgres", "pandas"},
    owners=OWNERS,
    deps=[OBSERVATIONS_KEY],
    check_specs=_check_specs(INDICATORS_KEY),
)
def monitor_indicators(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Harmonised indicators: one row per source table, year, population group code
    (config/population_groups.yaml) and indicator code, with unit and provisional flag.

    Source: cbs.observations, mapped through config/cbs_tables.yaml; a cell CBS left empty (or
    the snapshot does not hold) stays NULL. Groups of different tables are never mixed: the
    2013 series break separates 82809NED and 85456NED. A rerun rebuilds the table in one
    transaction, and writes nothing when the result equals what is stored.
    """
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.ingest import build_indicators

    catalogue = load_catalogue()
    store = warehouse.migrated_store()
    indicators = build_indicators(catalogue, store.read_table(OBSERVATIONS_TABLE))
    check_results = _record_checks(
        context, store, catalogue, indicators, INDICATORS_KEY, indicators=True
    )
    failed = _failed(check_results)
    if failed:
        yield from check_results
        raise dg.Failure(
            description=f"monitor.indicators failed the blocking check(s) {', '.join(failed)}; not written"
        )
    unchanged = _same_rows(indicators, store.read_table(INDICATORS_TABLE))
    if not unchanged:
        store.replace(INDICATORS_TABLE, indicators)
    context.log.info(
        "monitor.indicators " + ("unchanged, not rewritten" if unchanged else "rebuilt")
    )
    yield dg.MaterializeResult(
        metadata=table_metadata(
            INDICATORS_TABLE,
            indicators,
            rewritten=not unchanged,
            source_tables=", ".join(sorted(indicators["source_table"].unique())) or "none",
            provisional_rows=int(indicators["provisional"].sum()),
            empty_cells=int(indicators["value"].isna().sum()),
        ),
        data_version=dg.DataVersion(
            hashlib.sha256(indicators.to_csv(index=False).encode()).hexdigest()[:24]
        ),
        check_results=check_results,
    )
