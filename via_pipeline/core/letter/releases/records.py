"""The release records in the warehouse (migration 0014): letter.releases and its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from via_pipeline.core.partners.programmes import Programme, load_programmes
from via_pipeline.core.warehouse import WarehouseStore

PROGRAMME = "via"  # what migration 0014 sets on rows of before the programmes
RELEASES_TABLE = "letter.releases"
RELEASE_INPUTS_TABLE = "letter.release_inputs"
RELEASE_FILES_TABLE = "letter.release_files"
RELEASE_FIGURES_TABLE = "letter.release_figures"
REVISIONS_TABLE = "letter.revisions"
# The folder below VIA_DATA_DIR that holds every file ever sent.
SENT_FOLDER = "sent"


class ReleaseError(Exception):
    """An approval refused, or sent files that do not match their record: one line, the reason."""


def default_programme() -> str:
    """The default programme's code (config/programmes.yaml `default:`): its letter is the one
    every message names without a programme, and its files go to sent/<year>/ itself."""
    return load_programmes().default


def release_programme(code: str) -> Programme | None:
    """The programme of a release as config/programmes.yaml has it now; None when it is no
    longer configured."""
    programmes = load_programmes()
    return programmes.get(code) if code in programmes.codes else None


def letter_name(reporting_year: int, programme: str) -> str:
    """ "2023" for the default programme's letter, "2023 statushouders" for another's."""
    if programme == default_programme():
        return str(reporting_year)
    return f"{reporting_year} {programme}"


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

    @property
    def letter(self) -> str:
        """ "2022", or "2023 statushouders" for a programme other than the default."""
        return letter_name(self.reporting_year, self.programme)

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
        """ "release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen" ("of 2023
        statushouders" for a programme other than the default)."""
        when = self.approved_at.strftime("%Y-%m-%d %H:%M")
        return (
            f"release {self.release_number} of {self.letter}, approved {when} UTC "
            f"by {self.approved_by}"
        )


def optional_text(value: object) -> str | None:
    """A stored text cell: None for NULL (NaN, None, pd.NA), else the text."""
    return None if value is None or pd.isna(value) else str(value)  # type: ignore[call-overload]


def releases(
    store: WarehouseStore, reporting_year: int | None = None, programme: str | None = None
) -> list[Release]:
    """The releases of one programme's letter (the default programme's when None), of one year
    or all, oldest first; none before migration 0014."""
    code = default_programme() if programme is None else programme
    return [r for r in every_release(store, reporting_year) if r.programme == code]


def every_release(store: WarehouseStore, reporting_year: int | None = None) -> list[Release]:
    """The releases of every programme (of one year, or all), by programme, year and number."""
    if "0014" not in store.applied_migrations():
        return []
    frame = store.read_table(
        RELEASES_TABLE, None if reporting_year is None else {"reporting_year": reporting_year}
    )
    found = [
        Release(
            reporting_year=int(row.reporting_year),
            release_number=int(row.release_number),
            approved_at=pd.Timestamp(row.approved_at).to_pydatetime(),
            approved_by=str(row.approved_by),
            note=optional_text(row.note),
            supersede_reason=optional_text(row.supersede_reason),
            run_id=str(row.run_id),
            code_version=str(row.code_version),
            config_version=str(row.config_version),
            sent_dir=str(row.sent_dir),
            programme=str(row.programme),
        )
        for row in frame.itertuples(index=False)
    ]
    return sorted(found, key=lambda r: (r.programme, r.reporting_year, r.release_number))


def latest_release(
    store: WarehouseStore, reporting_year: int, programme: str | None = None
) -> Release | None:
    """The newest release of the year's letter of the programme (the default's when None)."""
    found = releases(store, reporting_year, programme)
    return found[-1] if found else None


def previous_release(
    store: WarehouseStore, reporting_year: int, programme: str | None = None
) -> Release | None:
    """The newest release of the latest earlier year of the same programme's letter (the
    "vorige brief" of that programme)."""
    earlier = [r for r in releases(store, None, programme) if r.reporting_year < reporting_year]
    return earlier[-1] if earlier else None


def release_rows(store: WarehouseStore, table: str, release: Release) -> pd.DataFrame:
    """A release's rows of one of its child tables."""
    return store.read_table(table, release.key)
