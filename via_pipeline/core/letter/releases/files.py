"""The files of a release on disk: which files a year's annex has, their SHA-256, and the copy
under <VIA_DATA_DIR>/sent/<year>/ (release n > 1 in sent/<year>/release-<n>/), read-only.

Nothing under sent/ is ever overwritten or deleted: a copy goes to a hidden folder first and
is renamed into place, and a release whose folder exists already is refused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.releases.records import SENT_FOLDER, ReleaseError

RELEASE_SUBFOLDER = "release-{number}"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True)
class FileRecord:
    path: str  # relative to the release's folder, with "/"
    size_bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sent_dir(data_dir: Path, reporting_year: int, release_number: int) -> Path:
    """sent/<year>/ for the first release, sent/<year>/release-<n>/ for a later one."""
    year_dir = data_dir / SENT_FOLDER / str(reporting_year)
    if release_number == 1:
        return year_dir
    return year_dir / RELEASE_SUBFOLDER.format(number=release_number)


def _is_release_subfolder(relative: Path) -> bool:
    first = relative.parts[0]
    return first.startswith("release-") and first[len("release-") :].isdigit()


def year_files(folder: Path, *, skip_release_folders: bool = False) -> list[Path]:
    """The files of a folder (recursively), sorted; hidden and temporary files left out, and
    with `skip_release_folders` the later releases' subfolders of sent/<year>/."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if skip_release_folders and len(relative.parts) > 1 and _is_release_subfolder(relative):
            continue
        found.append(path)
    return found


def file_records(folder: Path, *, skip_release_folders: bool = False) -> list[FileRecord]:
    return [
        FileRecord(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_of(path))
        for path in year_files(folder, skip_release_folders=skip_release_folders)
    ]


def records_frame(records: list[FileRecord], key: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(
        [{**key, "path": r.path, "size_bytes": r.size_bytes, "sha256": r.sha256} for r in records],
        columns=[*key, "path", "size_bytes", "sha256"],
    )


@contextmanager
def copying_read_only(source: Path, records: list[FileRecord], target: Path) -> Iterator[None]:
    """Copy the recorded files of `source` to a hidden folder beside `target`; when the block
    succeeds (the release recorded), rename it to `target`. `target` must not exist."""
    if target.exists():
        raise ReleaseError(f"{target} exists already: files once sent are never overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{os.getpid()}.staging"
    try:
        for record in records:
            copied = staging / record.path
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / record.path, copied)
            if sha256_of(copied) != record.sha256:
                raise ReleaseError(f"{source / record.path} changed while it was copied")
            copied.chmod(READ_ONLY)
        yield
        staging.rename(target)
    finally:
        if staging.exists():
            for path in staging.rglob("*"):
                if path.is_file():
                    path.chmod(stat.S_IWUSR | stat.S_IRUSR)
            shutil.rmtree(staging)


def sent_version(data_dir: Path, reporting_year: int) -> str:
    """What a build's plan sees of the letters sent before `reporting_year` (sent/<earlier>/):
    every file's path, size and modification time. A year's annex reports the revisions since
    the previous letter, so approving an earlier year makes it stale; approving the year itself
    does not (its files are what was approved)."""
    folder = data_dir / SENT_FOLDER
    parts = [
        f"{path.relative_to(folder).as_posix()}|{path.stat().st_size}|{path.stat().st_mtime_ns}"
        for path in year_files(folder)
        if path.relative_to(folder).parts[0].isdigit()
        and int(path.relative_to(folder).parts[0]) < reporting_year
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]
