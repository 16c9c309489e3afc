"""`via-pipeline status`: what was materialised, when, from which CBS source; a reader only."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from via_pipeline.cli.common import report_dead_runs, say
from via_pipeline.cli.instance import close_dead_dagster_runs, get_instance
from via_pipeline.core.runs.causes import exception_cause
from via_pipeline.core.runs.lease import current_writer
from via_pipeline.core.settings.environment import Settings
from via_pipeline.core.warehouse import WarehouseStore


def command_status(args: argparse.Namespace, settings: Settings) -> int:
    """What was materialised and from which sources; a reader, it never takes the write lease."""
    instance = get_instance(settings)
    report_dead_runs(close_dead_dagster_runs(instance), "in Dagster")

    from via_pipeline.definitions import defs

    say(f"Dagster instance: {settings.dagster_home}")
    say(f"{'asset':<40} {'last materialised (UTC)':<24} partition")
    for asset_key in sorted(defs.resolve_all_asset_keys(), key=lambda key: key.to_user_string()):
        event = instance.get_latest_materialization_event(asset_key)
        if event is None:
            when, partition = "never", ""
        else:
            when = datetime.fromtimestamp(event.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
            partition = (
                event.asset_materialization.partition if event.asset_materialization else None
            ) or ""
        say(f"{asset_key.to_user_string():<40} {when:<24} {partition}")

    store = WarehouseStore(settings.warehouse_url, read_only=True)
    say("")
    say(f"warehouse: {store.redacted_url}")
    if store.is_missing_file:
        say("  not created yet: run `via-pipeline migrate` or `via-pipeline run`")
        return 0
    if store.dialect == "postgresql":
        store.check_connection()
    try:
        return _status_of_warehouse(store)
    except Exception:
        writer = current_writer(store) if store.dialect == "duckdb" else None
        if writer is None:
            raise
        _say_being_written(writer.describe())
        return 0
    finally:
        store.dispose()


def say_snapshot_gaps(store: WarehouseStore, year: int | None = None) -> None:
    """The key figures the bundled snapshot leaves unavailable, and how to fill them (also the
    last lines of `run`)."""
    from via_pipeline.core.letter.availability import read_snapshot_availability
    from via_pipeline.core.letter.config import load_key_figure_config

    try:
        found = read_snapshot_availability(store, load_key_figure_config(), year)
    except Exception as error:  # the summary stands without this line
        say(f"key figures on the snapshot not counted: {exception_cause(error)}")
        return
    for availability in found:
        say(availability.line())


def _say_being_written(writer: str) -> None:
    say(
        f"  being written by {writer}: DuckDB lets no reader in meanwhile, so its tables show "
        "here when that run has ended (the assets above come from the Dagster instance)"
    )


def _status_of_warehouse(store: WarehouseStore) -> int:
    writer = current_writer(store)
    if writer is not None:
        if store.dialect == "duckdb":
            _say_being_written(writer.describe())
            return 0
        say(f"  being written by {writer.describe()}")
    if "0001" not in store.applied_migrations():
        say("  not migrated yet: run `via-pipeline migrate` or `via-pipeline run`")
        return 0
    sources = store.read(
        "SELECT table_id, title, source, modified, fetched_at FROM cbs.tables ORDER BY table_id"
    )
    if sources.empty:
        say("  no CBS table fetched yet")
    for row in sources.itertuples():
        say(
            f"  CBS {row.table_id} from {row.source}, modified {row.modified}, fetched {row.fetched_at}: {row.title}"
        )
    if not sources.empty:
        from via_pipeline.cli.letter import say_sent_letters

        say_sent_letters(store)
        say_snapshot_gaps(store)
    return 0


def add_commands(commands: Any) -> None:
    status = commands.add_parser(
        "status", help="what was last materialised, when, from which CBS source"
    )
    status.set_defaults(handler=command_status)
