"""The inbox and the archive: files are found by content hash and kept unchanged under it.

The archive is content-addressed (`<archive>/<sha256>.<csv|xlsx>`), written once, read-only, and
never cleaned: whatever a partner sent can be replayed or shown later. Paths are built from the
hash and a fixed list of extensions only, so no file name can point outside the data folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ARCHIVE_EXTENSIONS = ("csv", "xlsx")
# Office lock files and editor leftovers are not submissions.
IGNORED_PREFIXES = (".", "~$")


class ArchiveError(RuntimeError):
    """An archived file is missing or does not match its hash."""


@dataclass(frozen=True)
class InboxFile:
    file_name: str
    path: Path
    sha256: str
    modified: float


@dataclass(frozen=True)
class ArchivedFile:
    sha256: str
    file_name: str
    path: Path
    received_at: datetime
    content: bytes


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def list_inbox(inbox_dir: Path) -> list[InboxFile]:
    """The files waiting in the inbox, oldest first (so the newest version of a partner-year wins)."""
    if not inbox_dir.is_dir():
        return []
    found = []
    for path in inbox_dir.iterdir():
        if path.name.startswith(IGNORED_PREFIXES) or not path.is_file() or path.is_symlink():
            continue
        found.append(
            InboxFile(
                file_name=path.name,
                path=path,
                sha256=sha256_of(path.read_bytes()),
                modified=path.stat().st_mtime,
            )
        )
    return sorted(found, key=lambda item: (item.modified, item.file_name))


def archive_suffix(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return f".{extension}" if extension in ARCHIVE_EXTENSIONS else ".bin"


def archive_path(archive_dir: Path, sha256: str, file_name: str) -> Path:
    if not SHA256.match(sha256):
        raise ArchiveError(f"not a SHA-256 hex digest: {sha256!r}")
    return archive_dir / f"{sha256}{archive_suffix(file_name)}"


def archive_bytes(content: bytes, file_name: str, archive_dir: Path) -> ArchivedFile:
    """Keep the bytes under their hash (once; an existing copy is kept as it is) and return the record."""
    digest = sha256_of(content)
    target = archive_path(archive_dir, digest, file_name)
    archive_dir.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        # Write beside the target and rename: a crash never leaves a half file under a valid hash.
        handle, temporary = tempfile.mkstemp(dir=archive_dir, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temporary, 0o444)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    received_at = datetime.fromtimestamp(target.stat().st_mtime, UTC).replace(tzinfo=None)
    return ArchivedFile(digest, file_name, target, received_at, content)


def read_archived(archive_dir: Path, sha256: str, file_name: str) -> ArchivedFile:
    """An archived file by its hash, checked against it."""
    path = archive_path(archive_dir, sha256, file_name)
    if not path.is_file():
        raise ArchiveError(f"{path}: not in the archive (file {file_name!r})")
    content = path.read_bytes()
    if sha256_of(content) != sha256:
        raise ArchiveError(f"{path}: content does not match its hash; the archive was changed")
    received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    return ArchivedFile(sha256, file_name, path, received_at, content)
