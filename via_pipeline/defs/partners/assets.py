"""Partner assets: the registry from config, and the intake of the inbox's files per reporting year.

Thin: the partition names the year, via_pipeline.core.partners does the reading, checking and
recording, the warehouse resource holds the tables.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.files.markdown import markdown_frame, markdown_text
from via_pipeline.core.partners.archive import ArchivedFile, read_archived
from via_pipeline.core.partners.inbox import (
    InboxFile,
    SkippedEntry,
    UnreadableInboxFile,
    read_inbox_file,
    scan_inbox,
    wait_until_settled,
)
from via_pipeline.core.partners.limits import load_limits
from via_pipeline.defs.metadata import file_metadata, table_metadata
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.partners.resources import Inbox
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    from via_pipeline.core.partners.intake import (
        IntakeOutcome,
    )
    from via_pipeline.core.partners.registry import (
        Partner,
        Theme,
    )
    from via_pipeline.core.warehouse import WarehouseStore

REGISTRY_KEY = dg.AssetKey(["partners", "registry"])
SUBMISSIONS_KEY = dg.AssetKey(["partners", "submissions"])
ACTIONS_KEY = dg.AssetKey(["partners", "actions"])
REJECTIONS_KEY = dg.AssetKey(["partners", "rejections"])
INTAKE_OP = "partners_intake"
ACTIONS_MEET_SUITE = "actions_meet_submission_suite"
KINDS = {"duckdb", "postgres", "pandas"}
OWNERS = ["team:via-data"]


def reporting_years() -> list[int]:
    return [int(key) for key in reporting_year_partitions.get_partition_keys()]


@dg.asset(
    key=REGISTRY_KEY,
    group_name="partners",
    kinds=KINDS,
    owners=OWNERS,
)
def partners_registry(warehouse: Warehouse) -> dg.MaterializeResult:
    """The Werkagenda VIA partners (config/partners.yaml): one row per partner.

    Grain: partner_id. Source: the config file, so adding a partner is a config change. A rerun
    replaces the whole table.
    """
    from via_pipeline.core.partners.registry import load_partners, registry_frame

    frame = registry_frame(load_partners())
    warehouse.migrated_store().replace("partners.registry", frame)
    return dg.MaterializeResult(metadata=table_metadata("partners.registry", frame))


class InboxFileRef(dg.Config):
    """A file the inbox sensor saw and archived: its name and content hash, and its receipt.

    `received_at` (when the sensor took it) and `modified_at` (the inbox file's modification
    time, ISO, naive UTC) tell this receipt from an earlier one of the same bytes; empty in
    requests made before they were kept (then the file counts as received when first archived).
    """

    file_name: str
    sha256: str
    received_at: str = ""
    modified_at: str = ""


def archived_receipt(archive_dir: Path, ref: InboxFileRef) -> ArchivedFile:
    """The archived bytes of a sensor's request, with the receipt the sensor saw."""
    from dataclasses import replace
    from datetime import datetime

    archived = read_archived(archive_dir, ref.sha256, ref.file_name)
    return replace(
        archived,
        received_at=(
            datetime.fromisoformat(ref.received_at) if ref.received_at else archived.received_at
        ),
        modified_at=datetime.fromisoformat(ref.modified_at) if ref.modified_at else None,
    )


class PartnerIntakeConfig(dg.Config):
    """Empty (the default, and `via-pipeline run`): take in the year's inbox files.

    `files`: exactly these archived files (the inbox sensor's request). `replay`: archived
    submissions (full SHA-256, or its first 8 or more characters) to check and record again even
    though they were recorded before, e.g. after a registry fix (docs/operations.md).
    """

    files: list[InboxFileRef] = []
    replay: list[str] = []


def _replay_targets(store: "WarehouseStore", prefixes: list[str]) -> list[tuple[str, str]]:
    targets: list[tuple[str, str]] = []
    for prefix in prefixes:
        cleaned = prefix.strip().lower()
        if len(cleaned) < 8 or any(char not in "0123456789abcdef" for char in cleaned):
            raise dg.Failure(
                f"replay: {prefix!r} is not a SHA-256 or a prefix of 8+ hex characters"
            )
        found = store.read(
            "SELECT DISTINCT sha256, file_name FROM partners.submissions WHERE sha256 LIKE :pattern",
            {"pattern": f"{cleaned}%"},
        )
        if found.empty:
            raise dg.Failure(f"replay: no submission recorded with hash {cleaned}")
        targets.extend((str(row.sha256), str(row.file_name)) for row in found.itertuples())
    return targets


def _settled_inbox_files(
    context: dg.AssetExecutionContext,
    store: "WarehouseStore",
    inbox: Inbox,
    year: int,
    years: list[int],
) -> "tuple[list[ArchivedFile], list[IntakeOutcome]]":
    """The year's inbox files once settled, archived; and the too-large ones passed by unread.

    Every other entry is reported once with its reason; a file still changing is waited for (a
    progress line every few seconds) up to the maximum, then left for a later run.
    """
    from via_pipeline.core.partners.intake import IntakeOutcome, is_recorded_unchanged, taken_in_by

    scan = scan_inbox(inbox.inbox_dir, inbox.quiet_seconds)
    for entry in scan.skipped:
        context.log.warning(entry.line())

    def mine(found: InboxFile) -> bool:
        return taken_in_by(found.file_name, year, years)

    settled, changing = wait_until_settled(
        [found for found in scan.young if mine(found)],
        inbox.quiet_seconds,
        inbox.max_wait_seconds,
        context.log.info,
    )
    for found in changing:
        context.log.warning(
            f"{found.file_name}: overgeslagen: nog in beweging na {inbox.max_wait_seconds:.0f} s "
            "wachten; een volgende run neemt het mee"
        )
    limits = load_limits()
    archived: list[ArchivedFile] = []
    passed_by: list[IntakeOutcome] = []
    for found in sorted([*scan.ready, *settled], key=lambda item: item.modified_ns):
        if not mine(found):
            continue
        if found.size_bytes > limits.max_file_bytes and is_recorded_unchanged(
            store, found.file_name, (found.size_bytes, found.modified_at)
        ):
            passed_by.append(IntakeOutcome("", found.file_name, None, None, "skipped"))
            continue
        try:
            archived.append(read_inbox_file(found, inbox.archive_dir, limits.max_file_bytes))
        except UnreadableInboxFile as unreadable:
            context.log.warning(SkippedEntry(found.file_name, unreadable.reason).line())
    return archived, passed_by


def _outcomes_markdown(outcomes: "list[IntakeOutcome]") -> str:
    import pandas as pd

    if not outcomes:
        return "_no files to take in_"
    frame = pd.DataFrame(
        [
            {
                "file": outcome.file_name,
                "sha256": outcome.sha256[:12],
                "status": outcome.status,
                "problems": len(outcome.problems),
                "actions": outcome.action_count,
                "supersedes": (outcome.supersedes_sha256 or "")[:12],
                "note": outcome.note,
            }
            for outcome in outcomes
        ]
    )
    return markdown_frame(frame)


@dg.multi_asset(
    name=INTAKE_OP,
    group_name="partners",
    specs=[
        dg.AssetSpec(
            SUBMISSIONS_KEY,
            deps=[REGISTRY_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "Every partner file received for the year, one row per file (hash and name), "
                "accepted or rejected, with the version it supersedes; is_current marks the "
                "partner-year's current version. A rerun adds only files not recorded before."
            ),
        ),
        dg.AssetSpec(
            ACTIONS_KEY,
            deps=[REGISTRY_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "The actions of each partner's current accepted file for the year, one row per "
                "partner, year and actie_id. An accepted file replaces its partner-year atomically; "
                "a rejected one changes nothing."
            ),
        ),
        dg.AssetSpec(
            REJECTIONS_KEY,
            deps=[REGISTRY_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "One row per problem of each rejected file of the year (row, column, rule, Dutch "
                "message, value), with a feedback file per rejected file under feedback/."
            ),
        ),
    ],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            ACTIONS_MEET_SUITE,
            asset=ACTIONS_KEY,
            blocking=True,
            description="The year's accepted actions meet the partner submission suite (Great Expectations).",
        )
    ],
)
def partners_intake(
    context: dg.AssetExecutionContext,
    config: PartnerIntakeConfig,
    warehouse: Warehouse,
    inbox: Inbox,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Take in the reporting year's partner files from the inbox: archive, check, record.

    Each file is archived under its SHA-256 first, then checked whole (every problem at once) and
    recorded in one transaction. Files recorded before are skipped, so a rerun is idempotent.
    A file changed within the quiet period is waited for; symlinks, folders and unreadable files
    are reported and passed by; a file over the size limit is rejected without being read.
    """
    from via_pipeline.core.partners.feedback import restore_missing_feedback
    from via_pipeline.core.partners.intake import take_in
    from via_pipeline.core.partners.programmes import load_programmes
    from via_pipeline.core.partners.registry import load_partners, load_themes

    year = int(context.partition_key)
    years = reporting_years()
    inbox.create_folders()
    store = warehouse.migrated_store()
    partners, themes, programmes = load_partners(), load_themes(), load_programmes()

    archived: list[tuple[ArchivedFile, bool]] = []
    passed_by: list[IntakeOutcome] = []
    if config.files:
        archived = [(archived_receipt(inbox.archive_dir, ref), False) for ref in config.files]
    elif not config.replay:
        found, passed_by = _settled_inbox_files(context, store, inbox, year, years)
        archived = [(file, False) for file in found]
    for sha256, file_name in _replay_targets(store, config.replay):
        archived.append((read_archived(inbox.archive_dir, sha256, file_name), True))

    outcomes = list(passed_by)
    for archived_file, replay in archived:
        outcome = take_in(
            store,
            archived_file,
            inbox.feedback_dir,
            partners,
            themes,
            years,
            replay=replay,
            programmes=programmes,
        )
        outcomes.append(outcome)
        if outcome.status == "rejected":
            context.log.warning(
                f"rejected {outcome.file_name} ({outcome.sha256[:8]}): {len(outcome.problems)} problem(s); "
                f"feedback in {', '.join(str(path) for path in outcome.feedback_files)}"
            )
        else:
            note = f": {outcome.note}" if outcome.note else ""
            context.log.info(f"{outcome.status} {outcome.file_name} ({outcome.sha256[:8]}){note}")
    for path in restore_missing_feedback(store, inbox.feedback_dir):
        context.log.warning(f"feedback written again (it was missing): {path}")

    where = {"reporting_year": year}
    submissions = store.read_table("partners.submissions", where)
    # The year's actions can be 100,000s of rows: count them, keep only a preview in memory.
    actions = store.read(
        "SELECT * FROM partners.actions WHERE reporting_year = :year "
        "ORDER BY partner_id, source_row LIMIT 10",
        {"year": year},
    )
    (action_count, partners_reporting), *_ = store.read(
        "SELECT count(*) AS n, count(DISTINCT partner_id) AS p FROM partners.actions "
        "WHERE reporting_year = :year",
        {"year": year},
    ).itertuples(index=False)
    rejections = store.read_table("partners.rejections", where)
    counts = {
        status: sum(1 for o in outcomes if o.status == status)
        for status in ("accepted", "rejected", "skipped")
    }
    yield dg.MaterializeResult(
        asset_key=SUBMISSIONS_KEY,
        metadata=table_metadata(
            "partners.submissions",
            submissions,
            partition=str(year),
            files_accepted=counts["accepted"],
            files_rejected=counts["rejected"],
            files_skipped=counts["skipped"],
            files_taken_in=dg.MetadataValue.md(_outcomes_markdown(outcomes)),
        ),
    )
    yield dg.MaterializeResult(
        asset_key=ACTIONS_KEY,
        metadata=table_metadata(
            "partners.actions",
            actions,
            partition=str(year),
            partners_reporting=int(partners_reporting),
            **{"dagster/row_count": int(action_count)},
        ),
    )
    feedback = [path for outcome in outcomes for path in outcome.feedback_files]
    yield dg.MaterializeResult(
        asset_key=REJECTIONS_KEY,
        metadata={
            **table_metadata("partners.rejections", rejections, partition=str(year)),
            **file_metadata(feedback),
        },
    )
    yield run_submission_suite(context, store, year, partners, themes)


def run_submission_suite(
    context: dg.AssetExecutionContext,
    store: "WarehouseStore",
    year: int,
    partners: "tuple[Partner, ...]",
    themes: "tuple[Theme, ...]",
) -> dg.AssetCheckResult:
    """The suite of core.partners.rules over the year's stored actions, through Great Expectations.

    Validated in slices of whole partners (memory stays bounded); a failure names file, partner, rows.
    """
    from via_pipeline.core.partners.rules import SUITE_NAME, submission_suite
    from via_pipeline.core.partners.yearcheck import check_year
    from via_pipeline.core.quality.expectations import validate_frame

    rules = submission_suite([p.partner_id for p in partners], [t.code for t in themes], year)
    checked = check_year(store, year, rules, SUITE_NAME, validate_frame)
    for line in checked.failures:
        context.log.error(f"{ACTIONS_MEET_SUITE}: {line}")
    result = check_result_from_suite(
        store, context.run.run_id, ACTIONS_MEET_SUITE, checked.result, ACTIONS_KEY, str(year)
    )
    return dg.AssetCheckResult(
        asset_key=result.asset_key,
        check_name=result.check_name,
        passed=result.passed,
        severity=result.severity,
        metadata={
            **result.metadata,
            "rows_checked": checked.rows_checked,
            "failing_rows": dg.MetadataValue.md(
                "\n".join(f"- {markdown_text(line)}" for line in checked.failures) or "_none_"
            ),
        },
    )
