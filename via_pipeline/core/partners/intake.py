"""Taking in one submission: archive, check, then record it in the warehouse in one transaction.

Accepted: the partner-year's rows in partners.actions are replaced, the file becomes the next
version in partners.versions and the current row of partners.submissions. Rejected: actions stay
as they were, partners.rejections gets one row per problem and feedback files are written.

A receipt is a file as it lay in the inbox: name, content, size and modification time. The same
receipt seen again (a rerun) is skipped; the same bytes received again later (a partner re-sends
v1 after v2, the file is saved into the inbox anew) are a new receipt: checked again and, when
accepted, the current version again, with `received_at` the time of that receipt.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from via_pipeline.core.partners.archive import ArchivedFile
from via_pipeline.core.partners.evaluation import Evaluation, evaluate_archived

# Importable from here too, where it lived before core.partners.evaluation (callers elsewhere use it).
from via_pipeline.core.partners.evaluation import evaluate_submission as evaluate_submission
from via_pipeline.core.partners.feedback import write_feedback
from via_pipeline.core.partners.fileformat import parse_file_name
from via_pipeline.core.partners.problems import Problem
from via_pipeline.core.partners.programmes import Programmes
from via_pipeline.core.partners.receipts import (
    CURRENT_AGAIN,
    SAME_RECEIPT,
    existing_row,
    is_new_receipt,
    received_again_while_current,
    recorded_state,
    same_receipt_recorded,
)
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.partners.rules import ACTION_COLUMNS
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore

SUBMISSIONS = "partners.submissions"
ACTIONS = "partners.actions"
REJECTIONS = "partners.rejections"
VERSIONS = "partners.versions"
# Tries to record one file while concurrent runs keep committing first for its partner-year.
RECORD_ATTEMPTS = 5
# A file's state in the inbox without reading it: (size in bytes, modification time).
InboxState = tuple[int, datetime]
RETRY_PAUSE_SECONDS = 0.2
SUBMISSION_COLUMNS = [
    "sha256",
    "file_name",
    "partner_id",
    "reporting_year",
    "received_at",
    "processed_at",
    "status",
    "problem_count",
    "action_count",
    "supersedes_sha256",
    "is_current",
    "archive_path",
    "size_bytes",
    "file_modified_at",
]
REJECTION_COLUMNS = [
    "sha256",
    "file_name",
    "partner_id",
    "reporting_year",
    "row_number",
    "column_name",
    "rule",
    "message_nl",
    "value",
    "rejected_at",
]


@dataclass(frozen=True)
class IntakeOutcome:
    sha256: str
    file_name: str
    partner_id: str | None
    reporting_year: int | None
    status: str  # accepted | rejected | skipped (already recorded)
    problems: tuple[Problem, ...] = ()
    action_count: int = 0
    supersedes_sha256: str | None = None
    is_current: bool = False
    feedback_files: tuple[Path, ...] = field(default_factory=tuple)
    note: str = ""  # what the run says about the file besides its status (why skipped, ...)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def is_recorded(store: WarehouseStore, sha256: str, file_name: str) -> bool:
    return store.count(SUBMISSIONS, {"sha256": sha256, "file_name": file_name}) > 0


def _current_version(
    conn: Connection, partner_id: str, year: int
) -> tuple[int, tuple[str, str] | None]:
    """The partner-year's last version number and its file (hash, name as received)."""
    row = conn.execute(
        sa.text(
            "SELECT version, sha256, file_name FROM partners.versions WHERE partner_id = :partner_id "
            "AND reporting_year = :year ORDER BY version DESC LIMIT 1"
        ),
        {"partner_id": partner_id, "year": year},
    ).first()
    return (int(row[0]), (str(row[1]), str(row[2]))) if row is not None else (0, None)


def _submission_frame(values: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame([values], columns=SUBMISSION_COLUMNS)
    for column in ("reporting_year", "problem_count", "action_count", "size_bytes"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["is_current"] = frame["is_current"].astype(bool)
    frame["file_modified_at"] = pd.to_datetime(frame["file_modified_at"])
    return frame


def record_submission(
    store: WarehouseStore,
    archived: ArchivedFile,
    evaluation: Evaluation,
    processed_at: datetime | None = None,
    *,
    receipt: bool = True,
) -> IntakeOutcome:
    """Write the outcome in one transaction; raises WarehouseError if a concurrent run got there first.

    `receipt` False (a replay): the file keeps the receipt time it was recorded with.
    """
    processed_at = processed_at or now_utc()
    name = evaluation.name
    partner_id = name.partner_id if name else None
    year = name.reporting_year if name else None
    where = {"sha256": archived.sha256, "file_name": archived.file_name}
    with store.transaction() as conn:
        existing = existing_row(conn, archived.sha256, archived.file_name)
        received_at = existing["received_at"] if existing and not receipt else archived.received_at
        if not evaluation.accepted:
            store.replace(
                REJECTIONS, rejection_frame(archived, evaluation, processed_at), where, conn
            )
            if existing is None or existing["status"] == "rejected":
                # A replayed file that was accepted before keeps its accepted record.
                store.replace(
                    SUBMISSIONS,
                    _submission_frame(
                        {
                            **where,
                            "partner_id": partner_id,
                            "reporting_year": year,
                            "received_at": received_at,
                            "processed_at": processed_at,
                            "status": "rejected",
                            "problem_count": len(evaluation.problems),
                            "action_count": 0,
                            "supersedes_sha256": None,
                            "is_current": False,
                            "archive_path": str(archived.path),
                            "size_bytes": archived.size_bytes,
                            "file_modified_at": archived.modified_at,
                        }
                    ),
                    where,
                    conn,
                )
            return IntakeOutcome(
                archived.sha256,
                archived.file_name,
                partner_id,
                year,
                "rejected",
                evaluation.problems,
            )

        assert partner_id is not None and year is not None  # an accepted file has a valid name
        version, current = _current_version(conn, partner_id, year)
        # The same bytes under another name (abu_2023.csv, then ABU_2023.CSV) are a new version:
        # the name received last is the current one, never both.
        is_new_version = current != (archived.sha256, archived.file_name)
        supersedes = (
            (current[0] if current else None)
            if is_new_version
            else (existing or {}).get("supersedes_sha256")
        )
        if is_new_version:
            # The primary key (partner_id, reporting_year, version) is what stops two runs
            # accepting a version for the same partner-year at once: the second insert fails.
            store.insert(
                VERSIONS,
                pd.DataFrame(
                    [
                        {
                            "partner_id": partner_id,
                            "reporting_year": year,
                            "version": version + 1,
                            "sha256": archived.sha256,
                            "file_name": archived.file_name,
                            "accepted_at": processed_at,
                        }
                    ]
                ),
                conn,
            )
        # Migration 0008's unique index allows one current row per partner-year.
        conn.execute(
            sa.text(
                "UPDATE partners.submissions SET is_current = FALSE "
                "WHERE partner_id = :partner_id AND reporting_year = :year AND is_current "
                "AND NOT (sha256 = :sha256 AND file_name = :file_name)"
            ),
            {"partner_id": partner_id, "year": year, **where},
        )
        actions = evaluation.actions.assign(submission_sha256=archived.sha256)[ACTION_COLUMNS]
        store.replace(ACTIONS, actions, {"partner_id": partner_id, "reporting_year": year}, conn)
        conn.execute(
            sa.text(
                "DELETE FROM partners.rejections WHERE sha256 = :sha256 AND file_name = :file_name"
            ),
            where,
        )
        store.replace(
            SUBMISSIONS,
            _submission_frame(
                {
                    **where,
                    "partner_id": partner_id,
                    "reporting_year": year,
                    "received_at": received_at,
                    "processed_at": processed_at,
                    "status": "accepted",
                    "problem_count": 0,
                    "action_count": len(actions),
                    "supersedes_sha256": supersedes,
                    "is_current": True,
                    "archive_path": str(archived.path),
                    "size_bytes": archived.size_bytes,
                    "file_modified_at": archived.modified_at,
                }
            ),
            where,
            conn,
        )
    note = ""
    if is_new_version:
        note = f"version {version + 1} of {partner_id} {year}, now the current one"
        if current is not None:
            note += f" (after {current[0][:8]} {current[1]})"
        if existing is not None and receipt:
            note += "; received again (these bytes under this name were recorded before)"
    return IntakeOutcome(
        archived.sha256,
        archived.file_name,
        partner_id,
        year,
        "accepted",
        (),
        len(actions),
        supersedes if isinstance(supersedes, str) else None,
        True,
        note=note,
    )


def rejection_frame(
    archived: ArchivedFile, evaluation: Evaluation, rejected_at: datetime
) -> pd.DataFrame:
    name = evaluation.name
    frame = pd.DataFrame(
        [
            {
                "sha256": archived.sha256,
                "file_name": archived.file_name,
                "partner_id": name.partner_id if name else None,
                "reporting_year": name.reporting_year if name else None,
                "row_number": problem.row_number,
                "column_name": problem.column_name,
                "rule": problem.rule,
                "message_nl": problem.message_nl,
                "value": problem.value,
                "rejected_at": rejected_at,
            }
            for problem in evaluation.problems
        ],
        columns=REJECTION_COLUMNS,
    )
    for column in ("reporting_year", "row_number"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


def _skipped(archived: ArchivedFile, note: str = SAME_RECEIPT) -> IntakeOutcome:
    name = parse_file_name(archived.file_name)
    return IntakeOutcome(
        archived.sha256,
        archived.file_name,
        name.partner_id if name else None,
        name.reporting_year if name else None,
        "skipped",
        note=note,
    )


def take_in(
    store: WarehouseStore,
    archived: ArchivedFile,
    feedback_dir: Path,
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    reporting_years: Sequence[int],
    *,
    replay: bool = False,
    programmes: Programmes | None = None,
) -> IntakeOutcome:
    """Check an archived file and record it; the same receipt seen again is skipped unless replayed.

    Bytes recorded before under this name but received again (new size or modification time in
    the inbox) are checked again and, accepted, become the current version again; received again
    while current, only their receipt time changes. A rejection's feedback files are written
    (atomically) before the rejection is committed: if writing fails, nothing is recorded and the
    next run tries again.
    """
    if not replay:
        recorded = recorded_state(store, archived)
        if recorded is not None:
            if not is_new_receipt(recorded, archived):
                return _skipped(archived)
            if recorded["is_current"]:
                received_again_while_current(store, archived)
                return _skipped(archived, CURRENT_AGAIN)
    evaluation = evaluate_archived(archived, partners, themes, reporting_years, programmes)
    feedback: tuple[Path, ...] = ()
    if not evaluation.accepted:
        name = evaluation.name
        feedback = tuple(
            write_feedback(
                feedback_dir,
                archived.file_name,
                archived.sha256,
                name.partner_id if name else None,
                name.reporting_year if name else None,
                evaluation.problems,
            )
        )
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        try:
            outcome = record_submission(store, archived, evaluation, receipt=not replay)
            break
        except (WarehouseError, sa.exc.DBAPIError):
            # A concurrent run committed first (a key now exists). If it recorded this very
            # receipt, its outcome stands; otherwise try again on top of what it wrote.
            if not replay and same_receipt_recorded(store, archived):
                return _skipped(archived)
            if attempt == RECORD_ATTEMPTS:
                raise
            # DuckDB reports the clash before the other transaction commits: give it time.
            time.sleep(RETRY_PAUSE_SECONDS * attempt)
    return replace(outcome, feedback_files=feedback) if outcome.status == "rejected" else outcome


def is_recorded_unchanged(store: WarehouseStore, file_name: str, signature: InboxState) -> bool:
    """Whether this name was recorded with this size and modification time (then it is not read)."""
    size_bytes, modified_at = signature
    return (
        store.count(
            SUBMISSIONS,
            {"file_name": file_name, "size_bytes": size_bytes, "file_modified_at": modified_at},
        )
        > 0
    )


def taken_in_by(file_name: str, year: int, reporting_years: Sequence[int]) -> bool:
    """Whether the run of `year` takes the file in: its name's year, or any run for a name that
    gives no year we report on (it is rejected with feedback by whichever run sees it first).
    """
    name = parse_file_name(file_name)
    if name is not None and name.reporting_year in reporting_years:
        return name.reporting_year == year
    return True


def intake_year(file_name: str, reporting_years: Sequence[int]) -> int:
    """The partition a sensor request for the file goes to: the name's year, else the latest year."""
    name = parse_file_name(file_name)
    if name is not None and name.reporting_year in reporting_years:
        return name.reporting_year
    return max(reporting_years)
