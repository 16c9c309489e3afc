"""The archive: every file received is kept unchanged under its content hash.

The archive is content-addressed (`<archive>/<sha256>.<csv|xlsx>`), written once, read-only, and
never cleaned: whatever a partner sent can be replayed or shown later. A file over the size
limit is the exception: only a small record of it is kept (`<hash of first MiB>.too-large.json`). Paths are built from the
hash and a fixed list of extensions only, so no file name can point outside the data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")
ARCHIVE_EXTENSIONS = ("csv", "xlsx")
EPOCH = datetime(1970, 1, 1)
# What is kept of a file over the size limit: its first MiB's hash, its size and its name.
HEAD_BYTES = 1024 * 1024
TOO_LARGE_SUFFIX = ".too-large.json"


class ArchiveError(RuntimeError):
    """An archived file is missing or does not match its hash."""


@dataclass(frozen=True)
class ArchivedFile:
    """A received file as kept: its bytes, or for a file over the size limit only a record of it.

    `size_bytes` and `modified_at` describe the file as it lay in the inbox (None when unknown).
    A too-large file's `sha256` is the hash of its first MiB and `content` is empty.
    """

    sha256: str
    file_name: str
    path: Path
    received_at: datetime
    content: bytes
    size_bytes: int | None = None
    modified_at: datetime | None = None
    too_large: bool = False


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def timestamp_of(mtime_ns: int) -> datetime:
    """A file's modification time as a naive UTC datetime, exact to the microsecond (comparable)."""
    return EPOCH + timedelta(microseconds=mtime_ns // 1000)


def archive_suffix(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return f".{extension}" if extension in ARCHIVE_EXTENSIONS else ".bin"


def archive_path(archive_dir: Path, sha256: str, file_name: str) -> Path:
    if not SHA256.match(sha256):
        raise ArchiveError(f"not a SHA-256 hex digest: {sha256!r}")
    return archive_dir / f"{sha256}{archive_suffix(file_name)}"


def _write_once(target: Path, content: bytes) -> None:
    """Write beside the target and rename: a crash never leaves a half file under a valid hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        if error.filename is not None:
            raise
        # A write on a full disk names no file; the operator needs to know which folder.
        raise OSError(error.errno, error.strerror, str(target.parent)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _received_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def received_now() -> datetime:
    """The time of a receipt: now, as naive UTC (what the warehouse stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def archive_bytes(
    content: bytes, file_name: str, archive_dir: Path, modified_at: datetime | None = None
) -> ArchivedFile:
    """Keep the bytes under their hash (once; an existing copy is kept as it is) and return the record.

    `received_at` is the time of this receipt, not the archive copy's: bytes archived before
    (under a rejected name, or as an earlier version) are received again now.
    """
    digest = sha256_of(content)
    target = archive_path(archive_dir, digest, file_name)
    _write_once(target, content)
    return ArchivedFile(
        digest, file_name, target, received_now(), content, len(content), modified_at
    )


def archive_too_large(
    head: bytes, size_bytes: int, file_name: str, archive_dir: Path, modified_at: datetime
) -> ArchivedFile:
    """Record a file over the size limit without keeping it: its first MiB's hash, size and name."""
    digest = sha256_of(head[:HEAD_BYTES])
    target = archive_dir / f"{archive_path(archive_dir, digest, file_name).stem}{TOO_LARGE_SUFFIX}"
    record = {
        "file_name": file_name,
        "size_bytes": size_bytes,
        "modified_at": modified_at.isoformat(),
        "first_mib_sha256": digest,
        "kept": "not kept: over the size limit (config/submission_limits.yaml)",
    }
    _write_once(target, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    return ArchivedFile(
        digest, file_name, target, received_now(), b"", size_bytes, modified_at, True
    )


def read_archived(archive_dir: Path, sha256: str, file_name: str) -> ArchivedFile:
    """An archived file by its hash, checked against it."""
    path = archive_path(archive_dir, sha256, file_name)
    too_large = archive_dir / f"{path.stem}{TOO_LARGE_SUFFIX}"
    if not path.is_file() and too_large.is_file():
        record = json.loads(too_large.read_text(encoding="utf-8"))
        return ArchivedFile(
            sha256,
            file_name,
            too_large,
            _received_at(too_large),
            b"",
            int(record["size_bytes"]),
            datetime.fromisoformat(record["modified_at"]),
            True,
        )
    if not path.is_file():
        raise ArchiveError(f"{path}: not in the archive (file {file_name!r})")
    content = path.read_bytes()
    if sha256_of(content) != sha256:
        raise ArchiveError(f"{path}: content does not match its hash; the archive was changed")
    return ArchivedFile(sha256, file_name, path, _received_at(path), content, len(content))
