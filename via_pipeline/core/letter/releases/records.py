"""The release records in the warehouse (migration 0014): letter.releases and its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from via_pipeline.core.warehouse import WarehouseStore

PROGRAMME = "via"
RELEASES_TABLE = "letter.releases"
RELEASE_INPUTS_TABLE = "letter.release_inputs"
RELEASE_FILES_TABLE = "letter.release_files"
RELEASE_FIGURES_TABLE = "letter.release_figures"
REVISIONS_TABLE = "letter.revisions"
# The folder below VIA_DATA_DIR that holds every file ever sent.
SENT_FOLDER = "sent"


class ReleaseError(Exception):
    """An approval refused, or sent files that do not match their record: one line, the reason."""


@dataclass(frozen=True)
class Release:
    """One approval of a reporting year's annex (a row of letter.releases)."""

    reporting_year: int
    release_number: int
    approved_at: datetime
    approved_by: str
    note: str | None
    supersede_reason: str | None
    run_id: str
    code_version: str
    config_version: str
    sent_dir: str
    programme: str = PROGRAMME

    @property
    def key(self) -> dict[str, object]:
        return {
            "programme": self.programme,
            "reporting_year": self.reporting_year,
            "release_number": self.release_number,
        }

    def frame(self) -> pd.DataFrame:
        row = {
            "programme": self.programme,
            "reporting_year": self.reporting_year,
            "release_number": self.release_number,
            "approved_at": pd.Timestamp(self.approved_at),
            "approved_by": self.approved_by,
            "note": self.note,
            "supersede_reason": self.supersede_reason,
            "run_id": self.run_id,
            "code_version": self.code_version,
            "config_version": self.config_version,
            "sent_dir": self.sent_dir,
        }
        return pd.DataFrame([row])

    def describe(self) -> str:
        """ "release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen"."""
        when = self.approved_at.strftime("%Y-%m-%d %H:%M")
        return (
            f"release {self.release_number} of {self.reporting_year}, approved {when} UTC "
            f"by {self.approved_by}"
        )


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)  # type: ignore[call-overload]


def releases(store: WarehouseStore, reporting_year: int | None = None) -> list[Release]:
    """The releases (of one year, or all), oldest first; none before migration 0014."""
    if "0014" not in store.applied_migrations():
        return []
    where = {"programme": PROGRAMME}
    frame = store.read_table(
        RELEASES_TABLE,
        where if reporting_year is None else {**where, "reporting_year": reporting_year},
    )
    found = [
        Release(
            reporting_year=int(row.reporting_year),
            release_number=int(row.release_number),
            approved_at=pd.Timestamp(row.approved_at).to_pydatetime(),
            approved_by=str(row.approved_by),
            note=_text(row.note),
            supersede_reason=_text(row.supersede_reason),
            run_id=str(row.run_id),
            code_version=str(row.code_version),
            config_version=str(row.config_version),
            sent_dir=str(row.sent_dir),
            programme=str(row.programme),
        )
        for row in frame.itertuples(index=False)
    ]
    return sorted(found, key=lambda r: (r.reporting_year, r.release_number))


def latest_release(store: WarehouseStore, reporting_year: int) -> Release | None:
    """The year's newest release (what was sent last), or None."""
    found = releases(store, reporting_year)
    return found[-1] if found else None


def previous_release(store: WarehouseStore, reporting_year: int) -> Release | None:
    """The newest release of the latest earlier year that has one (the "vorige brief")."""
    earlier = [r for r in releases(store) if r.reporting_year < reporting_year]
    return earlier[-1] if earlier else None


def release_rows(store: WarehouseStore, table: str, release: Release) -> pd.DataFrame:
    """A release's rows of one of its child tables."""
    return store.read_table(table, release.key)
