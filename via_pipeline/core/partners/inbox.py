"""The inbox as a coordinator fills it: each entry judged on its own, from stat() alone.

A file is taken only once its modification time is older than the quiet period (a copy still
in progress keeps changing it); a file over the size limit is never read whole. Symlinks,
folders (also one named like a file), Office lock files and entries that cannot be read are
reported with a reason and the others go on: one bad entry never stops anyone's intake.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from via_pipeline.core.partners.archive import (
    HEAD_BYTES,
    ArchivedFile,
    archive_bytes,
    archive_too_large,
    timestamp_of,
)
from via_pipeline.core.settings.environment import DATA_DIR_VARIABLE, ConfigurationError

# Seconds between looks at a file that is still changing while `via-pipeline run` waits, and
# between two progress lines about the same file.
POLL_SECONDS = 1.0
PROGRESS_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class InboxFile:
    """A regular file in the inbox as stat() saw it; nothing of it has been read."""

    file_name: str
    path: Path
    size_bytes: int
    modified_ns: int

    @property
    def modified_at(self) -> datetime:
        return timestamp_of(self.modified_ns)

    @property
    def signature(self) -> str:
        """What identifies this state of the file without reading it: size and modification time."""
        return f"{self.size_bytes}:{self.modified_ns}"

    def age_seconds(self, now: float) -> float:
        return now - self.modified_ns / 1e9


@dataclass(frozen=True)
class SkippedEntry:
    """An inbox entry that is not taken in, and why (Dutch, as the operator reports it)."""

    file_name: str
    reason: str

    def line(self) -> str:
        return f"{self.file_name}: overgeslagen: {self.reason}"


@dataclass(frozen=True)
class InboxScan:
    ready: tuple[InboxFile, ...]  # unchanged for the quiet period, oldest first
    young: tuple[InboxFile, ...]  # changed within the quiet period: maybe still being copied
    skipped: tuple[SkippedEntry, ...]


def _skip_reason(entry: os.DirEntry[str]) -> str | None:
    if entry.is_symlink():
        return "symbolische koppeling (zet het bestand zelf in de inbox)"
    if entry.is_dir(follow_symlinks=False):
        return "map, geen bestand"
    if entry.name.startswith("~$"):
        return "tijdelijk bestand van Office (het bestand is nog open)"
    if entry.name.startswith("."):
        return "verborgen of tijdelijk bestand"
    return None


def file_state(path: Path) -> InboxFile:
    """stat() of one regular file (raises OSError when it is gone or cannot be looked at)."""
    status = path.stat(follow_symlinks=False)
    if not stat.S_ISREG(status.st_mode):
        raise OSError(f"{path.name}: not a regular file")
    return InboxFile(path.name, path, status.st_size, status.st_mtime_ns)


def scan_inbox(inbox_dir: Path, quiet_seconds: float, now: float | None = None) -> InboxScan:
    """Every entry of the inbox, judged from its directory entry and stat() only.

    A missing inbox is created (the first run); one that is a file raises ConfigurationError
    naming VIA_DATA_DIR, never reads as an empty inbox.
    """
    if not inbox_dir.is_dir():
        if inbox_dir.exists() or inbox_dir.is_symlink():
            raise ConfigurationError(
                f"{DATA_DIR_VARIABLE}: {inbox_dir} is not a folder; the inbox must be a folder "
                "(move the file away, partner files go inside it)"
            )
        try:
            inbox_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"{DATA_DIR_VARIABLE}: cannot create the inbox {inbox_dir}: "
                f"{error.strerror or error}"
            ) from None
        return InboxScan((), (), ())
    now = time.time() if now is None else now
    ready: list[InboxFile] = []
    young: list[InboxFile] = []
    skipped: list[SkippedEntry] = []
    with os.scandir(inbox_dir) as entries:
        for entry in entries:
            try:
                reason = _skip_reason(entry)
                if reason is None and not entry.is_file(follow_symlinks=False):
                    reason = "geen gewoon bestand"
                if reason is not None:
                    skipped.append(SkippedEntry(entry.name, reason))
                    continue
                found = file_state(Path(entry.path))
            except OSError as error:
                skipped.append(SkippedEntry(entry.name, unreadable_reason(error)))
                continue
            (ready if found.age_seconds(now) >= quiet_seconds else young).append(found)
    return InboxScan(
        tuple(sorted(ready, key=_oldest_first)),
        tuple(sorted(young, key=_oldest_first)),
        tuple(sorted(skipped, key=lambda item: item.file_name)),
    )


def _oldest_first(found: InboxFile) -> tuple[int, str]:
    # Oldest first, so the newest version of a partner-year is taken last and stays current.
    return (found.modified_ns, found.file_name)


def unreadable_reason(error: OSError) -> str:
    return f"niet leesbaar ({error.strerror or error.__class__.__name__})"


def wait_until_settled(
    files: Sequence[InboxFile],
    quiet_seconds: float,
    max_wait_seconds: float,
    say: Callable[[str], None],
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[InboxFile], list[InboxFile]]:
    """Wait for young files to stay unchanged for the quiet period: (settled, still changing).

    Says a progress line per file at the first look and every few seconds after ("abu_2023.csv
    changed 3 s ago; waiting for it to settle"); gives up on a file after max_wait_seconds. A
    file that disappears is left out.
    """
    deadline = clock() + max_wait_seconds
    pending = {found.file_name: found for found in files}
    settled: list[InboxFile] = []
    said_at: dict[str, float] = {}
    while pending:
        now = clock()
        for name, found in list(pending.items()):
            try:
                current = file_state(found.path)
            except OSError:
                del pending[name]
                continue
            if current.age_seconds(now) >= quiet_seconds:
                settled.append(current)
                del pending[name]
            else:
                pending[name] = current
                if now - said_at.get(name, -PROGRESS_EVERY_SECONDS) < PROGRESS_EVERY_SECONDS:
                    continue
                said_at[name] = now
                say(
                    f"{name} changed {max(current.age_seconds(now), 0):.0f} s ago; "
                    "waiting for it to settle"
                )
        if not pending or now >= deadline:
            break
        sleep(min(POLL_SECONDS, max(deadline - now, 0.01)))
    return settled, list(pending.values())


class UnreadableInboxFile(Exception):
    """The inbox file itself could not be read (permission, vanished): skip it, take the others.

    Kept apart from an OSError while archiving (disk full, read-only archive): that is the
    machine's problem, not the partner's, and must stop the intake with its cause.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error

    @property
    def reason(self) -> str:
        return unreadable_reason(self.error)


def _read_head(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(limit)
    except OSError as error:
        raise UnreadableInboxFile(error) from error


def read_inbox_file(found: InboxFile, archive_dir: Path, max_file_bytes: int) -> ArchivedFile:
    """Archive a settled file: whole when within the size limit, else only a record of it.

    The limit is judged from stat() first; a file that grew since is read no further than the
    limit allows (memory stays bounded). Raises UnreadableInboxFile when the file cannot be read,
    OSError when it cannot be archived.
    """
    if found.size_bytes > max_file_bytes:
        head = _read_head(found.path, HEAD_BYTES)
        return archive_too_large(
            head, found.size_bytes, found.file_name, archive_dir, found.modified_at
        )
    content = _read_head(found.path, max_file_bytes + 1)
    if len(content) > max_file_bytes:  # it grew after stat(): too large as it is now
        now = file_state(found.path)
        return archive_too_large(
            content[:HEAD_BYTES],
            max(now.size_bytes, len(content)),
            found.file_name,
            archive_dir,
            now.modified_at,
        )
    return archive_bytes(content, found.file_name, archive_dir, found.modified_at)
