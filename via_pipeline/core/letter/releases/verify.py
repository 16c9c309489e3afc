"""`letter verify`: the sent files of a release against letter.release_files, and the same
check on every build (a non-blocking asset check on letter/annex)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.letter.releases.files import file_records
from via_pipeline.core.letter.releases.records import (
    RELEASE_FILES_TABLE,
    Release,
    release_rows,
)
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
    found = {
        r.path: (r.size_bytes, r.sha256)
        for r in file_records(folder, skip_release_folders=release.release_number == 1)
    }
    return Verification(
        release=release,
        changed=tuple(sorted(p for p in expected if p in found and found[p] != expected[p])),
        missing=tuple(sorted(p for p in expected if p not in found)),
        added=tuple(sorted(p for p in found if p not in expected)),
        checked=len(expected),
    )


def verify_year(store: WarehouseStore, reporting_year: int) -> Verification | None:
    """The newest release of the year verified; None when the year was never sent."""
    from via_pipeline.core.letter.releases.records import latest_release

    release = latest_release(store, reporting_year)
    return None if release is None else verify_release(store, release)
