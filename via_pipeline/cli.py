"""The `via-pipeline` command: run a reporting year through Dagster, show status, migrate.

Runs go through a persistent Dagster instance (DAGSTER_HOME), so they show in the UI afterwards.
Bad configuration ends with one line naming the setting, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from via_pipeline.cli_cbs import add_cbs_commands
from via_pipeline.core.settings import ConfigurationError, Settings, load_settings
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore

if TYPE_CHECKING:
    import dagster as dg

YEARLY_BUILD_JOB = "via_yearly_build_job"

INSTANCE_YAML = """\
# Written by via-pipeline for local use: SQLite storage in this folder.
# Production uses deploy/dagster.yaml (PostgreSQL storage); see docs/deployment.md.
telemetry:
  enabled: false
"""


def _say(message: str) -> None:
    print(message, flush=True)


def prepare_dagster_home(settings: Settings) -> None:
    """Create DAGSTER_HOME with a local instance config if it has none, and point Dagster at it."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = settings.dagster_home / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text(INSTANCE_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)


def connected_store(settings: Settings) -> WarehouseStore:
    store = WarehouseStore(settings.warehouse_url)
    store.check_connection()
    return store


def command_migrate(args: argparse.Namespace, settings: Settings) -> int:
    store = connected_store(settings)
    applied = store.migrate()
    if applied:
        for name in applied:
            _say(f"applied {name}")
    else:
        _say("warehouse is up to date")
    _say(f"warehouse: {store.redacted_url} (migrations {', '.join(store.applied_migrations())})")
    return 0


def _get_instance(settings: Settings) -> dg.DagsterInstance:
    import dagster as dg

    prepare_dagster_home(settings)
    return dg.DagsterInstance.get()


class RunProgress:
    """Prints a run's progress while it executes, by following its event log in a thread.

    Dagster's own console output is long (timestamps, run ids); operators want one line a step.
    """

    POLL_SECONDS = 0.5

    def __init__(self, instance: dg.DagsterInstance, run_id: str) -> None:
        self.instance = instance
        self.run_id = run_id
        self.cursor: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="via-run-progress", daemon=True)

    def __enter__(self) -> RunProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._print_new_events()  # whatever arrived after the last poll

    def _follow(self) -> None:
        while not self._stop.wait(self.POLL_SECONDS):
            self._print_new_events()

    def _print_new_events(self) -> None:
        import dagster as dg

        connection = self.instance.get_records_for_run(self.run_id, cursor=self.cursor)
        self.cursor = connection.cursor
        for record in connection.records:
            line = describe_event(record.event_log_entry, dg)
            if line:
                _say(line)


def describe_event(entry: dg.EventLogEntry, dg_module: Any) -> str | None:
    """One progress line for the events an operator cares about, or None."""
    event = entry.dagster_event
    if event is None:
        if entry.level >= logging.INFO and entry.user_message:
            return f"    {entry.user_message}"
        return None
    event_type = event.event_type
    types = dg_module.DagsterEventType
    if event_type == types.STEP_START:
        return f"-> {event.step_key}"
    if event_type == types.ASSET_MATERIALIZATION:
        materialization = event.materialization
        rows = materialization.metadata.get("dagster/row_count")
        partition = f" [{materialization.partition}]" if materialization.partition else ""
        count = f": {rows.value} rows" if rows is not None else ""
        return f"   materialised {materialization.asset_key.to_user_string()}{partition}{count}"
    if event_type == types.ASSET_CHECK_EVALUATION:
        evaluation = event.asset_check_evaluation_data
        verdict = "passed" if evaluation.passed else "FAILED"
        return (
            f"   check {evaluation.asset_key.to_user_string()} {evaluation.check_name}: {verdict}"
        )
    if event_type == types.STEP_FAILURE:
        error = event.step_failure_data.error
        message = error.message.strip().splitlines()[0] if error else "unknown error"
        return f"   step {event.step_key} FAILED: {message}"
    return None


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    year = str(args.year)
    store = connected_store(settings)
    applied = store.migrate()
    for name in applied:
        _say(f"applied {name}")
    store.dispose()

    instance = _get_instance(settings)
    from via_pipeline.definitions import defs

    job = defs.resolve_job_def(YEARLY_BUILD_JOB)
    years = job.partitions_def.get_partition_keys() if job.partitions_def else []
    if year not in years:
        raise ConfigurationError(
            f"--year {year}: not a reporting year of the Werkagenda; choose {years[0]} to {years[-1]}"
        )
    _say(
        f"running {YEARLY_BUILD_JOB} for reporting year {year} (Dagster instance {settings.dagster_home})"
    )
    run_id = str(uuid.uuid4())
    with RunProgress(instance, run_id):
        result = job.execute_in_process(
            instance=instance,
            partition_key=year,
            run_id=run_id,
            raise_on_error=False,
            # The progress lines above replace Dagster's verbose console log; errors still show.
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    _print_run_summary(result, settings)
    return 0 if result.success else 1


def _print_run_summary(result: dg.ExecuteInProcessResult, settings: Settings) -> None:
    tables: list[str] = []
    files: list[str] = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        metadata = materialization.metadata
        table = metadata.get("warehouse_table")
        if table is not None:
            rows = metadata.get("dagster/row_count")
            row_text = f"{rows.value} rows" if rows is not None else "rows not counted"
            partition = f" [{materialization.partition}]" if materialization.partition else ""
            tables.append(f"  {table.value}{partition}: {row_text}")
        files.extend(
            f"  {entry.value}" for key, entry in metadata.items() if key.startswith("file:")
        )
    _say("")
    _say(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    _say(f"warehouse ({WarehouseStore(settings.warehouse_url).redacted_url}):")
    for line in tables or ["  nothing written"]:
        _say(line)
    if files:
        _say("files:")
        for line in files:
            _say(line)
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            _say(f"check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name}")
    for failure in result.get_step_failure_events():
        error = failure.step_failure_data.error
        message = error.message.strip().splitlines()[0] if error else "unknown error"
        _say(f"step failed: {failure.step_key}: {message}")


def command_status(args: argparse.Namespace, settings: Settings) -> int:
    instance = _get_instance(settings)
    from via_pipeline.definitions import defs

    _say(f"Dagster instance: {settings.dagster_home}")
    _say(f"{'asset':<40} {'last materialised (UTC)':<24} partition")
    for asset_key in sorted(defs.resolve_all_asset_keys(), key=lambda key: key.to_user_string()):
        event = instance.get_latest_materialization_event(asset_key)
        if event is None:
            when, partition = "never", ""
        else:
            when = datetime.fromtimestamp(event.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
            partition = (
                event.asset_materialization.partition if event.asset_materialization else None
            ) or ""
        _say(f"{asset_key.to_user_string():<40} {when:<24} {partition}")

    store = connected_store(settings)
    _say("")
    _say(f"warehouse: {store.redacted_url}")
    if "0001" not in store.applied_migrations():
        _say("  not migrated yet: run `via-pipeline migrate` or `via-pipeline run`")
        return 0
    sources = store.read(
        "SELECT table_id, title, source, modified, fetched_at FROM cbs.tables ORDER BY table_id"
    )
    if sources.empty:
        _say("  no CBS table fetched yet")
    for row in sources.itertuples():
        _say(
            f"  CBS {row.table_id} from {row.source}, modified {row.modified}, fetched {row.fetched_at}: {row.title}"
        )
    return 0


def command_template(args: argparse.Namespace, settings: Settings) -> int:
    """Write a partner's submission template (XLSX with drop-downs, or CSV) to --output."""
    from pathlib import Path

    from via_pipeline.core.config import ConfigFileError
    from via_pipeline.core.partners.registry import load_partners, load_themes
    from via_pipeline.core.partners.template import (
        TemplateError,
        carried_actions_or_none,
        write_template,
    )

    output = Path(args.output) if args.output else settings.output_dir / "templates"
    carried, note = carried_actions_or_none(settings.warehouse_url, args.partner, args.year)
    try:
        path = write_template(
            load_partners(), load_themes(), args.partner, args.year, output, args.format, carried
        )
    except (TemplateError, ConfigFileError) as error:
        print(f"via-pipeline: template: {error}", file=sys.stderr)
        return 2
    _say(f"template written: {path} ({note})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="via-pipeline",
        description="Werkagenda VIA monitor: CBS statistics and partner reports to the progress-letter annex.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="materialise everything for one reporting year")
    run.add_argument(
        "--year",
        type=int,
        default=datetime.now(UTC).year,
        help="reporting year (default: this year)",
    )
    run.set_defaults(handler=command_run)

    status = commands.add_parser(
        "status", help="what was last materialised, when, from which CBS source"
    )
    status.set_defaults(handler=command_status)

    migrate = commands.add_parser("migrate", help="apply the warehouse migrations not yet applied")
    migrate.set_defaults(handler=command_migrate)

    template = commands.add_parser(
        "template", help="write a partner's submission template (XLSX or CSV) for a year"
    )
    template.add_argument("--partner", required=True, help="partner id, e.g. abu")
    template.add_argument("--year", type=int, required=True, help="reporting year")
    template.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    template.add_argument("--output", help="folder (default: <VIA_DATA_DIR>/output/templates)")
    template.set_defaults(handler=command_template)

    add_cbs_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    try:
        settings = load_settings()
        return handler(args, settings)
    except ConfigurationError as error:
        print(f"via-pipeline: configuration error: {error}", file=sys.stderr)
        return 2
    except WarehouseError as error:
        print(f"via-pipeline: warehouse error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
