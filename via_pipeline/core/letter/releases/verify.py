"""`letter verify`: the sent files of a release against letter.release_files, and the same
check on every build (a non-blocking asset check on letter/annex, over every programme's sent
letter of the year). The default programme's folder sent/<year>/ holds the other programmes'
folders (sent/<year>/<code>/): they are never its files, so never "added"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.letter.releases.files import file_records, other_programme_folders
from via_pipeline.core.letter.releases.records import (
    RELEASE_FILES_TABLE,
    Release,
    every_release,
    latest_release,
    release_rows,
)
from via_pipeline.core.partners.programmes import load_programmes
from via_pipeline.core.warehouse import WarehouseStore


@dataclass(frozen=True)
class Verification:
    release: Release
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    added: tuple[str, ...]
    checked: int

    @property
    def intact(self) -> bool:
        return not (self.changed or self.missing or self.added)

    def lines(self) -> list[str]:
        folder = Path(self.release.sent_dir)
        found = [
            *(
                f"changed: {folder / path} (its SHA-256 differs from the one sent)"
                for path in self.changed
            ),
            *(f"missing: {folder / path}" for path in self.missing),
            *(f"added: {folder / path} (not in the release)" for path in self.added),
        ]
        if not found:
            return [f"{self.release.describe()}: all {self.checked} files in {folder} are as sent"]
        return [
            f"{self.release.describe()}: {len(found)} file(s) differ from what was sent",
            *found,
        ]


def verify_release(store: WarehouseStore, release: Release) -> Verification:
    """Each recorded file of the release: there, with its size and SHA-256; and no other file."""
    recorded = release_rows(store, RELEASE_FILES_TABLE, release)
    expected = {str(r.path): (int(r.size_bytes), str(r.sha256)) for r in recorded.itertuples()}
    folder = Path(release.sent_dir)
    first = release.release_number == 1
    others = other_programme_folders(load_programmes(), release.programme) if first else ()
    found = {
        r.path: (r.size_bytes, r.sha256)
        for r in file_records(folder, skip_release_folders=first, skip_folders=others)
    }
    return Verification(
        release=release,
        changed=tuple(sorted(p for p in expected if p in found and found[p] != expected[p])),
        missing=tuple(sorted(p for p in expected if p not in found)),
        added=tuple(sorted(p for p in found if p not in expected)),
        checked=len(expected),
    )


def verify_year(
    store: WarehouseStore, reporting_year: int, programme: str | None = None
) -> Verification | None:
    """The newest release of the year's letter of the programme (the default programme's when
    None) verified; None when that letter was never sent."""
    release = latest_release(store, reporting_year, programme)
    return None if release is None else verify_release(store, release)


def verify_letters(store: WarehouseStore, reporting_year: int) -> list[Verification]:
    """The newest release of each programme's sent letter of the year, verified."""
    newest: dict[str, Release] = {}
    for release in every_release(store, reporting_year):
        newest[release.programme] = release
    return [verify_release(store, newest[code]) for code in sorted(newest)]
