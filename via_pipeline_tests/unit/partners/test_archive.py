"""Guards the inbox scan and the archive: content-addressed, unchanged, read-only, tamper-evident,
and blind to lock files, folders and symlinks (a link could point anywhere on the machine).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from via_pipeline.core.partners.archive import (
    ArchiveError,
    archive_bytes,
    archive_path,
    read_archived,
    sha256_of,
)


def test_archive_keeps_the_bytes_under_their_hash_once(tmp_path: Path) -> None:
    content = b"partner_id,verslagjaar\r\nabu,2023\r\n"
    first = archive_bytes(content, "abu_2023.CSV", tmp_path)
    assert first.path == tmp_path / f"{sha256_of(content)}.csv"
    assert first.path.read_bytes() == content
    assert not first.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    again = archive_bytes(content, "abu_2023.csv", tmp_path)
    assert (again.path, again.received_at) == (first.path, first.received_at)
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.path.name]


@pytest.mark.parametrize(
    ("file_name", "suffix"),
    [("a_2023.xlsx", ".xlsx"), ("../../etc/passwd", ".bin"), ("x.exe", ".bin")],
)
def test_archive_suffix_comes_from_a_fixed_list(
    tmp_path: Path, file_name: str, suffix: str
) -> None:
    archived = archive_bytes(b"x", file_name, tmp_path)
    assert archived.path.parent == tmp_path
    assert archived.path.suffix == suffix


def test_read_archived_checks_the_hash(tmp_path: Path) -> None:
    archived = archive_bytes(b"original", "abu_2023.csv", tmp_path)
    assert read_archived(tmp_path, archived.sha256, "abu_2023.csv").content == b"original"
    os.chmod(archived.path, 0o644)
    archived.path.write_bytes(b"changed")
    with pytest.raises(ArchiveError, match="does not match its hash"):
        read_archived(tmp_path, archived.sha256, "abu_2023.csv")
    with pytest.raises(ArchiveError, match="not in the archive"):
        read_archived(tmp_path, "0" * 64, "abu_2023.csv")
    with pytest.raises(ArchiveError, match="not a SHA-256"):
        archive_path(tmp_path, "../../etc/passwd", "x.csv")
