"""The inbox sensor: a new or changed partner file (by content hash) asks for its partner-year's intake.

The file is archived under its SHA-256 at once, so the run takes in exactly the bytes the sensor
saw, even if the partner's file in the inbox is replaced meanwhile.

Automation rebuilds the letter of the running year only (eager conditions look at the latest
time partition), so a file for a past year asks for that year's letter in the same run, and for
the letter of every later year already built, whose progress across years reads its actions
(docs/operations.md, "A late file for a past year").
"""

import hashlib
import json

import dagster as dg

from via_pipeline.core.letter.late_files import late_file_line, stale_letters
from via_pipeline.core.partners.archive import ArchivedFile
from via_pipeline.core.partners.fileformat import parse_file_name, safe_slug
from via_pipeline.core.partners.inbox import (
    InboxScan,
    SkippedEntry,
    UnreadableInboxFile,
    read_inbox_file,
)
from via_pipeline.core.partners.inbox import scan_inbox as core_scan_inbox
from via_pipeline.core.partners.limits import load_limits
from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.letter.assets import (
    ACTION_PROGRESS_KEY,
    AGENDA_PROGRESS_KEY,
    ANNEX_KEY,
    KEY_FIGURES_KEY,
    PARTNER_REPORTING_KEY,
    PROGRESS_MOVEMENTS_KEY,
    THEME_PROGRESS_KEY,
)
from via_pipeline.defs.partners.assets import (
    ACTIONS_KEY,
    INTAKE_OP,
    REJECTIONS_KEY,
    SUBMISSIONS_KEY,
    InboxFileRef,
    PartnerIntakeConfig,
    reporting_years,
)
from via_pipeline.defs.partners.resources import Inbox


def scan_inbox(inbox: Inbox) -> InboxScan:
    """The sensor's one outside call (the file system); tests replace it."""
    return core_scan_inbox(inbox.inbox_dir, inbox.quiet_seconds)


INTAKE_KEYS = (SUBMISSIONS_KEY, ACTIONS_KEY, REJECTIONS_KEY)
# The letter group (a test keeps it equal to the code location's): rebuilt with a past year's file.
LETTER_KEYS = (
    KEY_FIGURES_KEY,
    THEME_PROGRESS_KEY,
    PARTNER_REPORTING_KEY,
    ACTION_PROGRESS_KEY,
    PROGRESS_MOVEMENTS_KEY,
    AGENDA_PROGRESS_KEY,
    ANNEX_KEY,
)


def _intake(
    found_name: str, archived: ArchivedFile, years: list[int], letters_built: set[str]
) -> tuple[int, dg.RunRequest, list[int]]:
    """The file's year, its intake run (for a past year with that year's letter: automation
    rebuilds only the running year's) and the later years whose letter is built and reads it."""
    from via_pipeline.core.partners.intake import intake_year

    year = intake_year(found_name, years)
    modified_at = archived.modified_at.isoformat() if archived.modified_at else ""
    # With the receipt's modification time: the same bytes received again (v1 after v2)
    # are a new run, not one Dagster drops as a run key it has seen.
    run_key = f"{found_name}:{archived.sha256}:{modified_at}"
    if year == max(years):
        return year, _intake_request(found_name, archived, str(year), run_key, INTAKE_KEYS), []
    request = _intake_request(
        found_name, archived, str(year), run_key, (*INTAKE_KEYS, *LETTER_KEYS)
    )
    return year, request, stale_letters(year, years, letters_built, rebuilt=(year,))


def _in_order(
    intakes: list[tuple[int, dg.RunRequest, list[int]]], running_year: int
) -> list[dg.RunRequest]:
    """The intake runs, oldest year first, then each later letter once (the queue keeps this
    order). A year whose own run is among them needs no letter run: its run comes after the
    runs of the years before it and rebuilds its letter."""
    past = {year for year, _, _ in intakes if year != running_year}
    later = sorted({other for _, _, years in intakes for other in years} - past)
    requests = [request for _, request, _ in sorted(intakes, key=lambda intake: intake[0])]
    if not later:
        return requests
    after = sorted(str(request.run_key) for _, request, years in intakes if years)
    digest = hashlib.sha256("\n".join(after).encode()).hexdigest()[:16]
    return requests + [
        dg.RunRequest(
            run_key=f"letter:{other}:after:{digest}",
            partition_key=str(other),
            asset_selection=list(LETTER_KEYS),
            tags={
                **WAREHOUSE_WRITER_TAGS,
                "via/after_files": ", ".join(key.split(":", 1)[0] for key in after),
            },
        )
        for other in later
    ]


def _intake_request(
    found_name: str,
    archived: ArchivedFile,
    partition: str,
    run_key: str,
    assets: tuple[dg.AssetKey, ...],
) -> dg.RunRequest:
    name = parse_file_name(found_name)
    modified_at = archived.modified_at.isoformat() if archived.modified_at else ""
    return dg.RunRequest(
        run_key=run_key,
        partition_key=partition,
        asset_selection=list(assets),
        run_config=dg.RunConfig(
            ops={
                INTAKE_OP: PartnerIntakeConfig(
                    files=[
                        InboxFileRef(
                            file_name=found_name,
                            sha256=archived.sha256,
                            received_at=archived.received_at.isoformat(),
                            modified_at=modified_at,
                        )
                    ]
                )
            }
        ),
        tags={
            **WAREHOUSE_WRITER_TAGS,
            "via/partner": safe_slug(name.partner_id if name else None),
            "via/file_sha256": archived.sha256,
        },
    )


@dg.sensor(
    name="partners_inbox_sensor",
    target=[*INTAKE_KEYS, *LETTER_KEYS],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def partners_inbox_sensor(
    context: dg.SensorEvaluationContext, inbox: Inbox
) -> dg.SensorResult | dg.SkipReason:
    """Requests one intake run per new or changed inbox file, for the partner and year its name gives
    (for a past year with that year's letter, then the later letters already built: `_in_order`).

    The cursor maps each inbox file name to the SHA-256 last seen, so a file saved again with the
    same content asks for nothing, and a changed one does even if its modification time did not.
    A file over the size limit is known by size and modification time (it is never read whole);
    a file changed within the quiet period is left for a later tick; other entries (symlinks,
    folders, unreadable files) are logged once, when they appear or their reason changes.
    """
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    scan = scan_inbox(inbox)
    cursor: dict[str, str] = {}
    for entry in scan.skipped:
        cursor[entry.file_name] = f"skipped:{entry.reason}"
        if seen.get(entry.file_name) != cursor[entry.file_name]:
            context.log.warning(entry.line())
    limits = load_limits()
    years = reporting_years()
    intakes: list[tuple[int, dg.RunRequest, list[int]]] = []
    letters_built: set[str] | None = None  # read once, when a past year's file asks for it
    for found in scan.ready:
        too_large = found.size_bytes > limits.max_file_bytes
        known = f"too-large:{found.signature}" if too_large else None
        if known is not None and seen.get(found.file_name) == known:
            cursor[found.file_name] = known
            continue
        try:
            archived = read_inbox_file(found, inbox.archive_dir, limits.max_file_bytes)
        except UnreadableInboxFile as unreadable:
            entry = SkippedEntry(found.file_name, unreadable.reason)
            cursor[found.file_name] = f"skipped:{entry.reason}"
            if seen.get(found.file_name) != cursor[found.file_name]:
                context.log.warning(entry.line())
            continue
        # The bytes archived are what counts; if the file changed since the scan, remember those.
        cursor[found.file_name] = (
            f"too-large:{found.signature}" if archived.too_large else archived.sha256
        )
        if seen.get(found.file_name) != cursor[found.file_name]:
            if letters_built is None:
                letters_built = set(context.instance.get_materialized_partitions(ANNEX_KEY))
            year, request, later = _intake(found.file_name, archived, years, letters_built)
            intakes.append((year, request, later))
            if year != max(years):
                context.log.info(late_file_line(found.file_name, year, max(years), later))
    for found in scan.young:  # still changing: judged on a later tick, as if never seen
        if found.file_name in seen:
            cursor[found.file_name] = seen[found.file_name]
    requests = _in_order(intakes, max(years))
    if not requests:
        young = f"; {len(scan.young)} still changing" if scan.young else ""
        reason = (
            f"no new or changed files in {inbox.inbox_dir} "
            f"({len(scan.ready)} file(s) already seen{young})"
        )
        if cursor == seen:
            return dg.SkipReason(reason)
        return dg.SensorResult(skip_reason=reason, cursor=json.dumps(cursor, sort_keys=True))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
