"""`via-pipeline run`: a reporting year through Dagster, in this process, under the write lease.

Runs go through a persistent Dagster instance (DAGSTER_HOME), so they show in the UI afterwards.
"""

from __future__ import annotations

import argparse
import os
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from via_pipeline.cli.common import report_dead_runs, say, warehouse_for_writing, writing
from via_pipeline.cli.instance import (
    RunOutcome,
    RunProgress,
    check_reporting_year,
    close_dead_dagster_runs,
    get_instance,
    print_run_summary,
    run_outcome,
    run_tags,
)
from via_pipeline.cli.late_years import say_stale_letters
from via_pipeline.cli.letter import say_sent_letters
from via_pipeline.cli.plan import INTAKE_ASSETS, WAREHOUSE_ID_TAG, BuildPlan, plan_for, say_rebuilt
from via_pipeline.cli.status import say_snapshot_gaps
from via_pipeline.core.runs.causes import INTERRUPTED, exception_cause
from via_pipeline.core.runs.lease import short_run_id, this_host
from via_pipeline.core.runs.records import (
    RUNS_TABLE,
    RunTrace,
    close_dead_runs,
    record_run_ended,
    record_run_started,
)
from via_pipeline.core.settings.environment import Settings
from via_pipeline.core.warehouse import WarehouseStore

if TYPE_CHECKING:
    import dagster as dg

YEARLY_BUILD_JOB = "via_yearly_build_job"
PARTNERS_JOB = "partners_submission_job"


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    year = str(args.year)
    check_reporting_year(year)  # before anything is created
    store = warehouse_for_writing(settings)
    instance = get_instance(settings)
    report_dead_runs(close_dead_dagster_runs(instance), "in Dagster")
    from via_pipeline.definitions import defs

    if not _take_in_previous_year(defs, instance, store, settings, int(year), args.force):
        return 1
    job = defs.resolve_job_def(YEARLY_BUILD_JOB)
    plan = plan_for(job, instance, settings, int(year), force=args.force, warn=say)
    for name, last_run in plan.unchanged.items():
        say(f"unchanged since run {short_run_id(last_run)}: {name}")
    say_rebuilt(plan, say)
    if not plan.to_run:
        say(f"nothing changed for reporting year {year}: no run (--force rebuilds everything)")
        say_sent_letters(store, int(year))
        say_snapshot_gaps(store, int(year))
        return 0
    result, outcome = _launch(job, year, plan, store, settings, instance)
    print_run_summary(result, store)
    if result.success:  # its own year's letter was rebuilt with its actions
        say_stale_letters(instance, int(year), plan.to_run, say, rebuilt=(int(year),))
    say_sent_letters(store, int(year))
    say_snapshot_gaps(store, int(year))
    if outcome.cause:
        say(outcome.cause)  # the last line: the innermost cause and where the traceback is
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
    plan = plan_for(job, instance, settings, previous, force=force, warn=say)
    if not set(plan.to_run) & set(INTAKE_ASSETS):
        return True
    say(
        f"taking in the inbox files of {previous} first: the progress of {year} compares "
        f"with {previous}'s actions"
    )
    result, outcome = _launch(job, str(previous), plan, store, settings, instance)
    if outcome.cause:
        say(outcome.cause)
    if result.success:  # this command rebuilds the letter of `year` next, not `previous`'s
        say_stale_letters(instance, previous, plan.to_run, say, rebuilt=(year,))
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
            say(f"applied {name}")
        identity = store.identity()  # the warehouse this run writes, for the next run's plan
        report_dead_runs(close_dead_runs(store), f"in {RUNS_TABLE}")
        trace = RunTrace(
            run_id=run_id,
            job_name=job.name,
            partition=year,
            pid=os.getpid(),
            host=this_host(),
            started_at=datetime.now(UTC),
        )
        record_run_started(store, trace)
        say(
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
        say(f"run not recorded in {RUNS_TABLE}: {exception_cause(error)}")


def add_commands(commands: Any) -> None:
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
