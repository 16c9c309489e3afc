"""The `via-pipeline` command: run a reporting year through Dagster, show status, migrate.

Runs go through a persistent Dagster instance (DAGSTER_HOME), so they show in the UI afterwards.
Bad configuration ends with one line naming the setting, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from via_pipeline.cli_cbs import add_cbs_commands
from via_pipeline.cli_runs import (
    RunOutcome,
    RunProgress,
    check_reporting_year,
    close_dead_dagster_runs,
    get_instance,
    print_run_summary,
    run_outcome,
    run_tags,
    write_log,
)
from via_pipeline.cli_runs import say as _say
from via_pipeline.cli_unchanged import (
    INTAKE_ASSETS,
    WAREHOUSE_ID_TAG,
    BuildPlan,
    plan_for,
    say_rebuilt,
)
from via_pipeline.core.causes import INTERRUPTED, exception_cause, plain_cause
from via_pipeline.core.lease import current_writer, short_run_id, this_host, write_lease
from via_pipeline.core.runs import (
    RUNS_TABLE,
    RunTrace,
    close_dead_runs,
    record_run_ended,
    record_run_started,
)
from via_pipeline.core.settings import ConfigurationError, Settings, load_settings
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore

if TYPE_CHECKING:
    import dagster as dg

YEARLY_BUILD_JOB = "via_yearly_build_job"
PARTNERS_JOB = "partners_submission_job"


def warehouse_for_writing(settings: Settings) -> WarehouseStore:
    """The store; on PostgreSQL checked to answer (on DuckDB the write lease opens the file)."""
    store = WarehouseStore(settings.warehouse_url)
    if store.dialect == "postgresql":
        store.check_connection()
    return store


@contextmanager
def writing(store: WarehouseStore, settings: Settings, run_id: str) -> Iterator[None]:
    """The warehouse write lease, with progress lines while another run holds it."""
    with write_lease(store, run_id, settings.warehouse_lock_wait_seconds, report=_say):
        yield


def command_migrate(args: argparse.Namespace, settings: Settings) -> int:
    store = warehouse_for_writing(settings)
    with writing(store, settings, "via-pipeline migrate"):
        applied = store.migrate()
        versions = store.applied_migrations()
    if applied:
        for name in applied:
            _say(f"applied {name}")
    else:
        _say("warehouse is up to date")
    _say(f"warehouse: {store.redacted_url} (migrations {', '.join(versions)})")
    return 0


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    year = str(args.year)
    check_reporting_year(year)  # before anything is created
    store = warehouse_for_writing(settings)
    instance = get_instance(settings)
    _report_dead_runs(close_dead_dagster_runs(instance), "in Dagster")
    from via_pipeline.definitions import defs

    if not _take_in_previous_year(defs, instance, store, settings, int(year), args.force):
        return 1
    job = defs.resolve_job_def(YEARLY_BUILD_JOB)
    plan = plan_for(job, instance, settings, int(year), force=args.force, warn=_say)
    for name, last_run in plan.unchanged.items():
        _say(f"unchanged since run {short_run_id(last_run)}: {name}")
    say_rebuilt(plan, _say)
    if not plan.to_run:
        _say(f"nothing changed for reporting year {year}: no run (--force rebuilds everything)")
        return 0
    result, outcome = _launch(job, year, plan, store, settings, instance)
    print_run_summary(result, store)
    if outcome.cause:
        _say(outcome.cause)  # the last line: the innermost cause and where the traceback is
    return 0 if result.success else 1


def _take_in_previous_year(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    store: WarehouseStore,
    settings: Settings,
    year: int,
    force: bool,
) -> bool:
    """Progress across years compares the year's actions with the year before: partner files of
    that year in the inbox, not yet taken in, are taken in first (partners_submission_job).
    False when that run failed (its cause printed)."""
    from via_pipeline.core.partners.fileformat import parse_file_name
    from via_pipeline.core.partners.inbox import scan_inbox
    from via_pipeline.defs.partners.assets import reporting_years

    previous = year - 1
    if previous not in reporting_years():
        return True
    scan = scan_inbox(settings.inbox_dir, quiet_seconds=0)  # the entries the intake would see
    if not any(
        (parsed := parse_file_name(found.file_name)) is not None
        and parsed.reporting_year == previous
        for found in (*scan.ready, *scan.young)
    ):
        return True
    job = defs.resolve_job_def(PARTNERS_JOB)
    plan = plan_for(job, instance, settings, previous, force=force, warn=_say)
    if not set(plan.to_run) & set(INTAKE_ASSETS):
        return True
    _say(
        f"taking in the inbox files of {previous} first: the progress of {year} compares "
        f"with {previous}'s actions"
    )
    result, outcome = _launch(job, str(previous), plan, store, settings, instance)
    if outcome.cause:
        _say(outcome.cause)
    return result.success


def _launch(
    job: dg.JobDefinition,
    year: str,
    plan: BuildPlan,
    store: WarehouseStore,
    settings: Settings,
    instance: dg.DagsterInstance,
) -> tuple[dg.ExecuteInProcessResult, RunOutcome]:
    """Run the plan's assets of the job for the year in this process, under the write lease,
    traced in quality.runs, with progress lines."""
    import dagster as dg

    run_id = str(uuid.uuid4())
    with writing(store, settings, run_id):
        for name in store.migrate():
            _say(f"applied {name}")
        identity = store.identity()  # the warehouse this run writes, for the next run's plan
        _report_dead_runs(close_dead_runs(store), f"in {RUNS_TABLE}")
        trace = RunTrace(
            run_id=run_id,
            job_name=job.name,
            partition=year,
            pid=os.getpid(),
            host=this_host(),
            started_at=datetime.now(UTC),
        )
        record_run_started(store, trace)
        _say(
            f"running {job.name} for reporting year {year} "
            f"(run {run_id}, Dagster instance {settings.dagster_home})"
        )
        try:
            with RunProgress(instance, run_id):
                result = job.execute_in_process(
                    instance=instance,
                    partition_key=year,
                    run_id=run_id,
                    tags={
                        **run_tags(),
                        **plan.tags,
                        **({WAREHOUSE_ID_TAG: identity} if identity else {}),
                    },
                    asset_selection=(
                        [dg.AssetKey.from_user_string(name) for name in plan.to_run]
                        if plan.unchanged
                        else None
                    ),
                    raise_on_error=False,
                    # The progress lines replace Dagster's console log; a failure's traceback goes
                    # to the log file named on the last line, not to the terminal.
                    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                )
        except BaseException as error:  # the row must not stay `started` while we exit
            interrupted = isinstance(error, KeyboardInterrupt)
            _record_end(
                store,
                trace,
                RunOutcome(False, INTERRUPTED if interrupted else exception_cause(error)),
            )
            raise
        outcome = run_outcome(result, settings)
        _record_end(store, trace, outcome)
    return result, outcome


def _report_dead_runs(run_ids: list[str], where: str) -> None:
    for run_id in run_ids:
        _say(
            f"run {short_run_id(run_id)} was left started by a process that is gone: FAILED {where}"
        )


def _record_end(store: WarehouseStore, trace: RunTrace, outcome: RunOutcome) -> None:
    try:
        record_run_ended(
            store,
            trace,
            succeeded=outcome.succeeded,
            cause=outcome.cause,
            failed_steps=outcome.failed_steps,
            log_file=outcome.log_file,
        )
    except Exception as error:  # a full disk: say so, the run's own outcome still stands
        _say(f"run not recorded in {RUNS_TABLE}: {exception_cause(error)}")


def command_status(args: argparse.Namespace, settings: Settings) -> int:
    """What was materialised and from which sources; a reader, it never takes the write lease."""
    instance = get_instance(settings)
    _report_dead_runs(close_dead_dagster_runs(instance), "in Dagster")

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

    store = WarehouseStore(settings.warehouse_url, read_only=True)
    _say("")
    _say(f"warehouse: {store.redacted_url}")
    if store.dialect == "duckdb" and not Path(str(store.parsed_url.database)).exists():
        _say("  not created yet: run `via-pipeline migrate` or `via-pipeline run`")
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


def _say_being_written(writer: str) -> None:
    _say(
        f"  being written by {writer}: DuckDB lets no reader in meanwhile, so its tables show "
        "here when that run has ended (the assets above come from the Dagster instance)"
    )


def _status_of_warehouse(store: WarehouseStore) -> int:
    writer = current_writer(store)
    if writer is not None:
        if store.dialect == "duckdb":
            _say_being_written(writer.describe())
            return 0
        _say(f"  being written by {writer.describe()}")
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
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild every asset, even those whose inputs did not change since their last build",
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
    """Run a command; whatever goes wrong ends in one line on stderr (a traceback goes to a log)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    settings: Settings | None = None
    try:
        settings = load_settings()
        return handler(args, settings)
    except ConfigurationError as error:
        _fail(f"configuration error: {error}")
        return 2
    except WarehouseError as error:
        _fail(f"warehouse error: {plain_cause(str(error))}")
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # `via-pipeline status | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        log = write_log(settings, "error", traceback.format_exc()) if settings else None
        where = f" (traceback in {log})" if log else ""
        _fail(f"error: {exception_cause(error)}{where}")
        return 1


def _fail(message: str) -> None:
    print(f"via-pipeline: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
