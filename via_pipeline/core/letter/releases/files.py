"""The files of a release on disk: which files a year's letter has, their SHA-256, and the
copy under <VIA_DATA_DIR>/sent/<year>/ (release n > 1 in sent/<year>/release-<n>/), read-only.
Another programme's letter than the default goes to sent/<year>/<code>/ (and .../release-<n>/).

A programme's files in output/<year>/ are those named with its file prefix
(config/programmes.yaml); the default programme's letter also takes any file that carries no
programme's prefix, as the one letter of before the programmes took every file.

Nothing under sent/ is ever overwritten or deleted: a copy goes to a hidden folder first and
is renamed into place, and a release whose files exist already is refused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.releases.records import SENT_FOLDER, ReleaseError
from via_pipeline.core.partners.programmes import Programmes

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


def sent_dir(
    data_dir: Path, reporting_year: int, release_number: int, subfolder: str | None = None
) -> Path:
    """sent/<year>/ for the first release, sent/<year>/release-<n>/ for a later one; with a
    `subfolder` (a programme other than the default: its code) sent/<year>/<code>/ and
    sent/<year>/<code>/release-<n>/."""
    year_dir = data_dir / SENT_FOLDER / str(reporting_year)
    if subfolder is not None:
        year_dir = year_dir / subfolder
    if release_number == 1:
        return year_dir
    return year_dir / RELEASE_SUBFOLDER.format(number=release_number)


def _is_release_subfolder(relative: Path) -> bool:
    first = relative.parts[0]
    return first.startswith("release-") and first[len("release-") :].isdigit()


def year_files(
    folder: Path,
    *,
    skip_release_folders: bool = False,
    skip_folders: Collection[str] = (),
) -> list[Path]:
    """The files of a folder (recursively), sorted; hidden and temporary files left out, and
    with `skip_release_folders` the later releases' subfolders of sent/<year>/, and the
    subfolders named in `skip_folders` (the other programmes' letters in sent/<year>/)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if skip_release_folders and len(relative.parts) > 1 and _is_release_subfolder(relative):
            continue
        if len(relative.parts) > 1 and relative.parts[0] in skip_folders:
            continue
        found.append(path)
    return found


@dataclass(frozen=True)
class ProgrammeFiles:
    """Which files of output/<year>/ are one programme's letter: those named with its prefix;
    for the default programme also those named with no programme's prefix."""

    prefix: str
    other_prefixes: tuple[str, ...] = ()
    takes_the_rest: bool = False

    def owns(self, relative: str) -> bool:
        name = relative.split("/")[0]
        if name.startswith(self.prefix):
            return True
        return self.takes_the_rest and not name.startswith(self.other_prefixes)


def file_records(
    folder: Path,
    *,
    skip_release_folders: bool = False,
    skip_folders: Collection[str] = (),
    programme: ProgrammeFiles | None = None,
) -> list[FileRecord]:
    """Path, size and SHA-256 of the folder's files (of one programme's letter, if given)."""
    found = year_files(folder, skip_release_folders=skip_release_folders, skip_folders=skip_folders)
    records = []
    for path in found:
        relative = path.relative_to(folder).as_posix()
        if programme is None or programme.owns(relative):
            records.append(FileRecord(relative, path.stat().st_size, sha256_of(path)))
    return records


def programme_files(programmes: Programmes, code: str) -> ProgrammeFiles:
    """Which files of output/<year>/ are the letter of programme `code`."""
    return ProgrammeFiles(
        prefix=programmes.get(code).file_prefix,
        other_prefixes=tuple(p.file_prefix for p in programmes.others(code)),
        takes_the_rest=code == programmes.default,
    )


def copy_programme_files(source: Path, target: Path, programmes: Programmes, code: str) -> None:
    """The files of programme `code`'s letter in `source` (output/<year>/) copied to `target`."""
    for record in file_records(source, programme=programme_files(programmes, code)):
        copied = target / record.path
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / record.path, copied)


def programme_subfolder(programmes: Programmes, code: str) -> str | None:
    """The programme's folder in sent/<year>/: None (the year's folder itself) for the default
    programme, its code for another."""
    return None if code == programmes.default else code


def other_programme_folders(programmes: Programmes, code: str) -> tuple[str, ...]:
    """The subfolders of sent/<year>/ that hold the other programmes' letters (for the
    default programme's folder; another programme's folder holds none)."""
    if code != programmes.default:
        return ()
    return tuple(p.code for p in programmes.others(code))


def records_frame(records: list[FileRecord], key: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(
        [{**key, "path": r.path, "size_bytes": r.size_bytes, "sha256": r.sha256} for r in records],
        columns=[*key, "path", "size_bytes", "sha256"],
    )


@contextmanager
def copying_read_only(
    source: Path, records: list[FileRecord], target: Path, beside: Collection[str] = ()
) -> Iterator[None]:
    """Copy the recorded files of `source` to a hidden folder beside `target`; when the block
    succeeds (the release recorded), rename it to `target`. `target` must not exist, or hold
    only the subfolders named in `beside` (the other programmes' letters of sent/<year>/, sent
    before this one): then each copied file is renamed into it."""
    held = sorted(entry.name for entry in target.iterdir()) if target.is_dir() else []
    if target.exists() and (
        not target.is_dir()
        or any(name not in beside or not (target / name).is_dir() for name in held)
    ):
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
        if target.exists():
            _move_into(staging, target)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            for path in staging.rglob("*"):
                if path.is_file():
                    path.chmod(stat.S_IWUSR | stat.S_IRUSR)
            shutil.rmtree(staging)


def _move_into(staging: Path, target: Path) -> None:
    """Each top-level entry of `staging` renamed into `target`; on a failure the ones moved go
    back, so that the folder holds all of the release or none of it."""
    moved: list[str] = []
    try:
        for entry in sorted(staging.iterdir()):
            entry.rename(target / entry.name)
            moved.append(entry.name)
    except BaseException:
        for name in moved:
            (target / name).rename(staging / name)
        raise


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
