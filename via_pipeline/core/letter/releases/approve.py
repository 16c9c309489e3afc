"""`letter approve`: a reporting year's letter of one programme (the default programme's
unless --programme names another) approved as sent, or refused with one line.

Refused when the year was never built, its last build failed or had a failed blocking check,
its files are older than their inputs (the build plan would rebuild the annex), or it was
approved already and no --supersede reason is given (release numbers and --supersede count
per programme), or the programme does not run in the year. Otherwise one transaction records
the release (letter.releases), its inputs, the programme's files (by its file prefix) and
figures, and the files are copied read-only to sent/<year>/ (sent/<year>/release-<n>/ for an
erratum; sent/<year>/<code>/ for a programme other than the default); the copy is renamed into
place only when the record is written, and nothing sent before is touched.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.vintages import current_versions
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.files import year_output_dir
from via_pipeline.core.letter.releases.figures import letter_figures
from via_pipeline.core.letter.releases.files import (
    copying_read_only,
    file_records,
    other_programme_folders,
    programme_files,
    programme_subfolder,
    records_frame,
    sent_dir,
    sha256_of,
)
from via_pipeline.core.letter.releases.records import (
    RELEASE_FIGURES_TABLE,
    RELEASE_FILES_TABLE,
    RELEASE_INPUTS_TABLE,
    RELEASES_TABLE,
    Release,
    ReleaseError,
    latest_release,
)
from via_pipeline.core.partners.programmes import PROGRAMMES_FILE, Programmes, load_programmes
from via_pipeline.core.runs.input_versions import code_version
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline.core.timestamps import naive_utc
from via_pipeline.core.warehouse import WarehouseStore

BUILD_JOB = "via_yearly_build_job"
INPUT_COLUMNS = ["input_kind", "input_name", "version", "modified", "detail", "content"]


@dataclass(frozen=True)
class ApprovalRequest:
    reporting_year: int
    approved_by: str
    note: str | None = None
    supersede_reason: str | None = None
    programme: str | None = None  # its code; None: the default programme (config)

    def programme_code(self, programmes: Programmes) -> str:
        return programmes.default if self.programme is None else self.programme


@dataclass(frozen=True)
class BuildFacts:
    """What the Dagster instance says about the year's build (gathered by the command)."""

    annex_run_id: str | None  # the run that last materialised letter/annex for the year
    stale_reason: str | None  # why the plan would rebuild letter/annex; None when up to date
    # The build's blocking checks as (asset key, check name): "letter/key_figures", "...".
    blocking_checks: Collection[tuple[str, str]] = ()


def config_version(config_dir: Path = CONFIG_DIR) -> str:
    """A hash of every config file (path and content)."""
    return code_version((config_dir,))


def _last_build(store: WarehouseStore, year: int) -> pd.Series | None:
    runs = store.read_table("quality.runs", {"job_name": BUILD_JOB, "partition": str(year)})
    if runs.empty:
        return None
    return runs.sort_values("started_at").iloc[-1]


def programme_refusal(programmes: Programmes, code: str, year: int) -> str | None:
    """Why programme `code` has no letter of the year (one line), or None."""
    if code not in programmes.codes:
        return (
            f"--programme {code}: not a programme of config/{PROGRAMMES_FILE} "
            f"({', '.join(programmes.codes)})"
        )
    programme = programmes.get(code)
    if not programme.runs_in(year):
        return (
            f"--programme {code}: {programme.title} does not run in {year} "
            f"(config/{PROGRAMMES_FILE}: {programme.years_text()}), so it has no letter of "
            "that year"
        )
    return None


def refusal(
    store: WarehouseStore,
    request: ApprovalRequest,
    facts: BuildFacts,
    output_dir: Path,
    programmes: Programmes | None = None,
) -> str | None:
    """Why the year's letter of the programme cannot be approved (one line), or None."""
    programmes = programmes or load_programmes()
    code = request.programme_code(programmes)
    year = request.reporting_year
    not_running = programme_refusal(programmes, code, year)
    if not_running is not None:
        return not_running
    rerun = f"run `via-pipeline run --year {year}` first"
    last = _last_build(store, year)
    files = file_records(
        year_output_dir(output_dir, year), programme=programme_files(programmes, code)
    )
    if facts.annex_run_id is None or not files:
        return f"reporting year {year} was never built: {rerun}"
    if last is None:  # built from the UI or a sensor: no run of ours to judge it by
        return (
            f"reporting year {year} was not built by `via-pipeline run` (no build in "
            f"quality.runs): {rerun}"
        )
    run = f"run {str(last['run_id'])[:8]}"
    if last["status"] == "started":
        return f"the build of reporting year {year} ({run}) is still running: wait for it to end"
    # A failed blocking check fails the run too: the check is the better reason to give.
    for run_id in dict.fromkeys([str(last["run_id"]), facts.annex_run_id]):
        failed = store.read_table(
            "quality.validation_results", {"run_id": run_id, "success": False}
        )
        pairs = zip(failed["asset_key"], failed["check_name"], strict=True)
        blocking = failed[[pair in set(facts.blocking_checks) for pair in pairs]]
        if not blocking.empty:
            first = blocking.sort_values(["asset_key", "check_name"]).iloc[0]
            return (
                f"the last build of reporting year {year} (run {run_id[:8]}) failed the blocking "
                f"check {first['check_name']} on {first['asset_key']}: fix it and {rerun}"
            )
    if last["status"] != "succeeded":
        cause = last["cause"] if isinstance(last["cause"], str) else "no cause recorded"
        return f"the last build of reporting year {year} ({run}) failed: {cause}"
    if facts.stale_reason is not None:
        return (
            f"the files of reporting year {year} are older than their inputs "
            f"({facts.stale_reason}): {rerun}"
        )
    sent = latest_release(store, year, code)
    what = f"reporting year {year}"
    if code != programmes.default:
        what = f"the {code} letter of reporting year {year}"
    if sent is not None and request.supersede_reason is None:
        return (
            f"{what} was approved already ({sent.describe()}): give "
            "--supersede REASON to send a corrected release (the sent files stay as they are)"
        )
    if sent is None and request.supersede_reason is not None:
        return f"--supersede: {what} has no release to supersede"
    return None


def _inputs(store: WarehouseStore, year: int, config_dir: Path) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    for vintage in current_versions(store).values():
        rows.append(
            {
                "input_kind": "cbs_table",
                "input_name": vintage.table_id,
                "version": vintage.source_version,
                "modified": vintage.modified,
                "detail": f"{vintage.source}: {vintage.title}",
                "content": None,
            }
        )
    submissions = store.read(
        "SELECT file_name, sha256, received_at, archive_path FROM partners.submissions "
        "WHERE is_current AND reporting_year <= :year ORDER BY file_name",
        {"year": year},
    )
    for row in submissions.itertuples(index=False):
        rows.append(
            {
                "input_kind": "partner_file",
                "input_name": str(row.file_name),
                "version": str(row.sha256),
                "modified": pd.Timestamp(row.received_at),
                "detail": str(row.archive_path),
                "content": None,
            }
        )
    for path in sorted(p for p in config_dir.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        rows.append(
            {
                "input_kind": "config_file",
                "input_name": path.relative_to(config_dir).as_posix(),
                "version": sha256_of(path),
                "modified": None,
                "detail": None,
                "content": path.read_text(encoding="utf-8"),
            }
        )
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def approve(
    store: WarehouseStore,
    request: ApprovalRequest,
    facts: BuildFacts,
    config: KeyFigureConfig,
    data_dir: Path,
    output_dir: Path,
    *,
    now: datetime | None = None,
    config_dir: Path = CONFIG_DIR,
) -> Release:
    """Record the release of the programme's letter and copy its files to sent/; ReleaseError
    (one line) when refused."""
    programmes = load_programmes(config_dir)
    reason = refusal(store, request, facts, output_dir, programmes)
    if reason is not None:
        raise ReleaseError(reason)
    code = request.programme_code(programmes)
    year = request.reporting_year
    sent = latest_release(store, year, code)
    number = 1 if sent is None else sent.release_number + 1
    target = sent_dir(data_dir, year, number, programme_subfolder(programmes, code))
    source = year_output_dir(output_dir, year)
    release = Release(
        reporting_year=year,
        release_number=number,
        approved_at=naive_utc(now or datetime.now(UTC)),
        approved_by=request.approved_by,
        note=request.note,
        supersede_reason=request.supersede_reason,
        run_id=str(facts.annex_run_id),
        code_version=code_version(),
        config_version=config_version(config_dir),
        sent_dir=str(target),
        programme=code,
    )
    records = file_records(source, programme=programme_files(programmes, code))
    figures = letter_figures(store, config, year, programme=programmes.get(code))
    inputs = _inputs(store, year, config_dir)
    key = release.key
    beside = other_programme_folders(programmes, code) if number == 1 else ()
    with (
        store.transaction() as conn,
        copying_read_only(source, records, target, beside),
    ):
        store.insert(RELEASES_TABLE, release.frame(), conn)
        store.insert(RELEASE_INPUTS_TABLE, inputs.assign(**key)[[*key, *INPUT_COLUMNS]], conn)
        store.insert(RELEASE_FILES_TABLE, records_frame(records, key), conn)
        store.insert(RELEASE_FIGURES_TABLE, figures.assign(**key)[[*key, *figures.columns]], conn)
    return release
