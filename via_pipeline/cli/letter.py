"""`via-pipeline letter approve|verify|reproduce`: the letter as sent (core/letter/releases/).

Each takes `--programme CODE` (default: the default programme of config/programmes.yaml, via):
each programme's letter of a year is approved, verified and reproduced on its own.
`approve` records a built year's letter as a release and copies its files read-only to
<VIA_DATA_DIR>/sent/<year>/ (sent/<year>/<code>/ for another programme), or refuses in one
line (exit 1). `verify` checks the sent files
against their record: exit 1 naming each changed, missing or added file. `reproduce`
rebuilds a release from its recorded inputs in a scratch warehouse: exit 0 when every file is
byte-identical to the one sent, else 1 naming the files and the first differing figure.
"""

from __future__ import annotations

import argparse
import getpass
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from via_pipeline.cli.common import say, warehouse_for_writing, writing
from via_pipeline.core.settings.environment import Settings

if TYPE_CHECKING:
    import dagster as dg

    from via_pipeline.core.letter.releases.approve import BuildFacts
    from via_pipeline.core.letter.releases.records import Release
    from via_pipeline.core.warehouse import WarehouseStore

BUILD_JOB = "via_yearly_build_job"
ANNEX = "letter/annex"


def _annex_run_id(instance: dg.DagsterInstance, year: int) -> str | None:
    import dagster as dg

    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=dg.AssetKey.from_user_string(ANNEX), asset_partitions=[str(year)]
        ),
        limit=1,
    ).records
    return records[0].run_id if records else None


def build_facts(settings: Settings, year: int) -> BuildFacts:
    """From the Dagster instance: the run that built the annex, whether the plan would rebuild
    it now (and which changed input starts that), and the build's blocking checks."""
    from via_pipeline.cli.instance import get_instance
    from via_pipeline.cli.plan import plan_for
    from via_pipeline.core.letter.releases.approve import BuildFacts
    from via_pipeline.definitions import defs

    instance = get_instance(settings)
    job = defs.resolve_job_def(BUILD_JOB)
    graph = job.asset_layer.asset_graph
    blocking = {
        (spec.asset_key.to_user_string(), spec.name)
        for assets_def in graph.assets_defs
        for spec in assets_def.check_specs
        if spec.blocking
    }
    run_id = _annex_run_id(instance, year)
    stale = None
    if run_id is not None:
        plan = plan_for(job, instance, settings, year, force=False, warn=say)
        if ANNEX in plan.to_run:
            parents = {
                key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
                for key in graph.materializable_asset_keys
            }
            first = [n for n in plan.to_run if not parents.get(n, set()) & set(plan.to_run)]
            stale = plan.rebuilt.get(ANNEX) or f"changed since the build: {', '.join(first)}"
    return BuildFacts(annex_run_id=run_id, stale_reason=stale, blocking_checks=blocking)


def command_approve(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.letter.config import load_key_figure_config
    from via_pipeline.core.letter.releases.approve import ApprovalRequest, approve
    from via_pipeline.core.letter.releases.records import ReleaseError

    request = ApprovalRequest(
        reporting_year=args.year,
        approved_by=args.by or getpass.getuser(),
        note=args.note,
        supersede_reason=args.supersede,
        programme=args.programme,
    )
    if _not_running(args.year, args.programme, "approved"):
        return 1
    facts = build_facts(settings, args.year)
    if facts.annex_run_id is None:  # before the warehouse is opened (or created) for writing
        say(
            f"not approved: reporting year {args.year} was never built: "
            f"run `via-pipeline run --year {args.year}` first"
        )
        return 1
    store = warehouse_for_writing(settings)
    with writing(store, settings, f"via-pipeline letter approve --year {args.year}"):
        store.migrate()
        try:
            release = approve(
                store,
                request,
                facts,
                load_key_figure_config(),
                settings.data_dir,
                settings.output_dir,
            )
        except ReleaseError as error:
            say(f"not approved: {error}")
            return 1
    say(f"approved: {release.describe()} (run {release.run_id[:8]})")
    say(f"  sent files, read-only: {release.sent_dir}")
    return 0


def command_verify(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.letter.releases.verify import verify_release
    from via_pipeline.core.warehouse import WarehouseStore

    store = WarehouseStore(settings.warehouse_url, read_only=True)
    try:
        release = _release(store, args.year, args.release, args.programme, "verified")
        if release is None:
            return 1
        result = verify_release(store, release)
    finally:
        store.dispose()
    for line in result.lines():
        say(line)
    return 0 if result.intact else 1


def _rebuild(scratch_dir: Path, scratch_url: str, year: int) -> str | None:
    """The yearly build's monitor and letter assets for the year on the scratch warehouse, in
    this process, on an ephemeral Dagster instance; the failure's cause, or None."""
    import dagster as dg

    from via_pipeline.definitions import defs

    job = defs.resolve_job_def(BUILD_JOB)
    selection = [
        key
        for key in job.asset_layer.asset_graph.materializable_asset_keys
        if key.to_user_string().startswith(("monitor/", "letter/"))
    ]
    scratch_env = {"VIA_DATA_DIR": str(scratch_dir), "VIA_WAREHOUSE_URL": scratch_url}
    with mock.patch.dict(os.environ, scratch_env), dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            partition_key=str(year),
            asset_selection=selection,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    if result.success:
        return None
    failed = [event.step_key for event in result.get_step_failure_events()]
    return f"the rebuild failed in {', '.join(str(step) for step in failed) or 'the run'}"


def command_reproduce(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.letter.config import load_key_figure_config
    from via_pipeline.core.letter.files import year_output_dir
    from via_pipeline.core.letter.releases.files import copy_programme_files
    from via_pipeline.core.letter.releases.records import ReleaseError
    from via_pipeline.core.letter.releases.reproduce import compare, prepare_scratch
    from via_pipeline.core.partners.programmes import load_programmes
    from via_pipeline.core.warehouse import WarehouseStore

    out = Path(args.out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        say(f"--out: {out} exists and is not an empty folder; give a new or empty folder")
        return 2
    store = WarehouseStore(settings.warehouse_url, read_only=True)
    try:
        release = _release(store, args.year, args.release, args.programme, "reproduced")
        if release is None:
            return 1
        with tempfile.TemporaryDirectory(prefix="via-reproduce-") as work:
            scratch_dir = Path(work) / "data"
            scratch_url = f"duckdb:///{Path(work) / 'warehouse.duckdb'}"
            scratch = WarehouseStore(scratch_url)
            try:
                scratch.migrate()
                try:
                    prepared = prepare_scratch(store, scratch, release, settings.archive_dir)
                except ReleaseError as error:
                    say(f"not reproduced: {error}")
                    return 1
                say(f"rebuilding {release.describe()} from its recorded inputs")
                failure = _rebuild(scratch_dir, scratch_url, args.year)
                if failure is not None:
                    say(f"not reproduced: {failure}")
                    return 1
                copy_programme_files(
                    year_output_dir(scratch_dir / "output", args.year),
                    out,
                    load_programmes(),
                    release.programme,
                )
                result = compare(store, scratch, release, prepared, out, load_key_figure_config())
            finally:
                scratch.dispose()
    finally:
        store.dispose()
    for line in result.lines():
        say(line)
    return 0 if result.identical else 1


def _not_running(year: int, programme: str | None, done: str) -> bool:
    """Whether `--programme` (None: the default) has no letter in `year`: said in one line
    ("not approved: --programme ...")."""
    from via_pipeline.core.letter.releases.approve import programme_refusal
    from via_pipeline.core.partners.programmes import load_programmes

    programmes = load_programmes()
    code = programmes.default if programme is None else programme
    reason = programme_refusal(programmes, code, year)
    if reason is not None:
        say(f"not {done}: {reason}")
    return reason is not None


def _release(
    store: WarehouseStore, year: int, number: int | None, programme: str | None, done: str
) -> Release | None:
    """The newest release of the year's letter of the programme (the default's when None), or
    release `number`; None (said why) when there is none or the programme does not run."""
    from via_pipeline.core.letter.releases.records import (
        latest_release,
        letter_name,
        releases,
    )
    from via_pipeline.core.partners.programmes import load_programmes

    if _not_running(year, programme, done):
        return None

    if store.is_missing_file:
        say(
            f"reporting year {year} has no release: the warehouse {store.redacted_url} is not created yet"
        )
        return None
    if number is None:
        release = latest_release(store, year, programme)
    else:
        found = releases(store, year, programme)
        release = next((r for r in found if r.release_number == number), None)
    if release is None:
        which = f"no release {number}" if number else "no release"
        code = load_programmes().default if programme is None else programme
        letter = letter_name(year, code)
        what = f"reporting year {year}" if letter == str(year) else f"the letter {letter}"
        say(f"{what} has {which}: nothing was sent (`letter approve`)")
    return release


def _programme_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--programme",
        metavar="CODE",
        help="whose letter (config/programmes.yaml, e.g. statushouders; default: the default "
        "programme, via): each programme's letter is sent on its own",
    )


def add_commands(commands: Any) -> None:
    letter = commands.add_parser("letter", help="the letter as sent: approve, verify, reproduce")
    actions = letter.add_subparsers(dest="letter_command", required=True)
    approve = actions.add_parser(
        "approve", help="record a built year's annex as sent and copy its files to sent/<year>/"
    )
    approve.add_argument("--year", type=int, required=True, help="reporting year")
    approve.add_argument("--by", help="who approved it (default: the user running this)")
    approve.add_argument("--note", help="a note kept with the release")
    approve.add_argument(
        "--supersede",
        metavar="REASON",
        help="approve a year sent before again (an erratum); the earlier files stay as sent",
    )
    _programme_argument(approve)
    approve.set_defaults(handler=command_approve)
    verify = actions.add_parser(
        "verify", help="check the sent files of a year against their record; exit 1 if changed"
    )
    verify.add_argument("--year", type=int, required=True, help="reporting year")
    verify.add_argument("--release", type=int, help="release number (default: the newest)")
    _programme_argument(verify)
    verify.set_defaults(handler=command_verify)
    reproduce = actions.add_parser(
        "reproduce",
        help="rebuild a sent release from its recorded inputs into DIR; exit 1 unless "
        "byte-identical",
    )
    reproduce.add_argument("--year", type=int, required=True, help="reporting year")
    reproduce.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    reproduce.add_argument("--release", type=int, help="release number (default: the newest)")
    _programme_argument(reproduce)
    reproduce.set_defaults(handler=command_reproduce)


def say_sent_letters(store: WarehouseStore, built_year: int | None = None) -> None:
    """Which years are sent and how many of their figures were revised since; after a run of
    `built_year`, one line per revised figure of its letter and of the letter before it."""
    from via_pipeline.core.letter.releases.report import sent_letter_lines
    from via_pipeline.core.runs.causes import exception_cause

    try:
        lines = sent_letter_lines(store, built_year)
    except Exception as error:  # the run's own outcome stands without these lines
        say(f"sent letters not read: {exception_cause(error)}")
        return
    for line in lines:
        say(line)
