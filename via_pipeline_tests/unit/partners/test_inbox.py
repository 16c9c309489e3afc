"""Guards how the inbox is read: each entry judged on its own from stat(), young files waited for,
files over the size limit never read whole, an unreadable file reported and passed by.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from via_pipeline.core.partners.archive import HEAD_BYTES, read_archived, sha256_of
from via_pipeline.core.partners.inbox import (
    UnreadableInboxFile,
    file_state,
    read_inbox_file,
    scan_inbox,
    wait_until_settled,
)
from via_pipeline_tests.support.partners import csv_bytes, numbered_rows


def test_each_entry_is_judged_on_its_own_with_a_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fnv_2023.csv").write_bytes(b"b")
    (inbox / "abu_2023.csv").write_bytes(b"a")
    os.utime(inbox / "abu_2023.csv", (1_000_000, 1_000_000))
    (inbox / "~$abu_2023.xlsx").write_bytes(b"lock")
    (inbox / "vng_2023.csv").mkdir()  # a folder named like a file
    (inbox / "oud").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for the pipeline")
    (inbox / "sbb_2023.csv").symlink_to(secret)
    scan = scan_inbox(inbox, quiet_seconds=0)
    assert [f.file_name for f in scan.ready] == ["abu_2023.csv", "fnv_2023.csv"]
    assert [entry.line() for entry in scan.skipped] == [
        "oud: overgeslagen: map, geen bestand",
        "sbb_2023.csv: overgeslagen: symbolische koppeling (zet het bestand zelf in de inbox)",
        "vng_2023.csv: overgeslagen: map, geen bestand",
        "~$abu_2023.xlsx: overgeslagen: tijdelijk bestand van Office (het bestand is nog open)",
    ]
    assert scan_inbox(tmp_path / "missing", 0).ready == ()


def test_a_file_changed_within_the_quiet_period_is_young(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "abu_2023.csv").write_bytes(b"a")
    (inbox / "fnv_2023.csv").write_bytes(b"b")
    os.utime(inbox / "fnv_2023.csv", (time.time() - 30, time.time() - 30))
    scan = scan_inbox(inbox, quiet_seconds=10)
    assert ([f.file_name for f in scan.ready], [f.file_name for f in scan.young]) == (
        ["fnv_2023.csv"],
        ["abu_2023.csv"],
    )


def test_a_slow_copy_is_taken_only_when_complete(tmp_path: Path) -> None:
    """Finding 2: a 30-row CSV copied in chunks; the run waits and takes all 30 rows."""
    content = csv_bytes(numbered_rows("abu", 2023, 30), delimiter=";")
    target = tmp_path / "abu_2023.csv"
    chunks = [content[i : i + 200] for i in range(0, len(content), 200)]
    target.write_bytes(chunks[0])

    def copy_slowly() -> None:
        with target.open("ab") as stream:
            for chunk in chunks[1:]:
                time.sleep(0.05)
                stream.write(chunk)
                stream.flush()

    writer = threading.Thread(target=copy_slowly)
    writer.start()
    lines: list[str] = []
    young = scan_inbox(tmp_path, quiet_seconds=1.0).young
    assert [f.file_name for f in young] == ["abu_2023.csv"]
    settled, changing = wait_until_settled(young, 1.0, 30, lines.append)
    writer.join()
    assert changing == []
    (done,) = settled
    assert done.size_bytes == len(content)
    archived = read_inbox_file(done, tmp_path / "archive", 10_000_000)
    assert archived.content == content
    assert lines and all(
        line.startswith("abu_2023.csv changed ")
        and line.endswith(" s ago; waiting for it to settle")
        for line in lines
    )


def test_a_file_that_keeps_changing_is_given_up_after_the_maximum(tmp_path: Path) -> None:
    path = tmp_path / "abu_2023.csv"
    path.write_bytes(b"partner_id;")
    clock = [1000.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds
        os.utime(path, (clock[0], clock[0]))  # a copy still writing

    os.utime(path, (clock[0], clock[0]))
    lines: list[str] = []
    settled, changing = wait_until_settled(
        [file_state(path)], 10, 12, lines.append, clock=lambda: clock[0], sleep=sleep
    )
    assert (settled, [f.file_name for f in changing]) == ([], ["abu_2023.csv"])
    # A look a second for twelve seconds; a line at the first look and every five seconds.
    assert lines == ["abu_2023.csv changed 0 s ago; waiting for it to settle"] * 3


def test_a_file_over_the_limit_is_judged_from_stat_and_not_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 6: size before content; what is kept is the first MiB's hash, the size, the name."""
    path = tmp_path / "abu_2023.csv"
    with path.open("wb") as stream:  # sparse: 3 MiB on disk costs nothing
        stream.write(b"partner_id;verslagjaar\n")
        stream.truncate(3 * 1024 * 1024)
    found = file_state(path)
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]
        if self == path:
            real_read = handle.read
            handle.read = lambda size=-1: reads.append(size) or real_read(size)  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    archived = read_inbox_file(found, tmp_path / "archive", max_file_bytes=1024 * 1024)
    assert reads == [HEAD_BYTES]
    assert (archived.too_large, archived.size_bytes, archived.content) == (
        True,
        3 * 1024 * 1024,
        b"",
    )
    with path.open("rb") as stream:
        assert archived.sha256 == sha256_of(stream.read(HEAD_BYTES))
    (kept,) = (tmp_path / "archive").iterdir()
    assert kept.name == f"{archived.sha256}.too-large.json"
    assert kept.stat().st_size < 1000
    record = json.loads(kept.read_text(encoding="utf-8"))
    assert (record["file_name"], record["size_bytes"]) == ("abu_2023.csv", 3 * 1024 * 1024)
    again = read_archived(tmp_path / "archive", archived.sha256, "abu_2023.csv")
    assert (again.too_large, again.size_bytes, again.modified_at) == (
        True,
        3 * 1024 * 1024,
        found.modified_at,
    )


@pytest.mark.parametrize(("raw", "quiet"), [(None, 10.0), ("0", 0.0), ("2,5", 2.5), (" 30 ", 30.0)])
def test_the_quiet_period_is_a_setting(raw: str | None, quiet: float) -> None:
    from via_pipeline.core.settings.environment import load_settings

    environ = {} if raw is None else {"VIA_INBOX_QUIET_SECONDS": raw}
    assert load_settings(environ).inbox_quiet_seconds == quiet


@pytest.mark.parametrize("raw", ["tien", "-1", "nan"])
def test_a_bad_quiet_period_names_the_variable(raw: str) -> None:
    from via_pipeline.core.settings.environment import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match=r"^VIA_INBOX_QUIET_SECONDS: expected a number"):
        load_settings({"VIA_INBOX_QUIET_SECONDS": raw})


def test_an_unreadable_file_is_skipped_but_a_full_archive_stops_the_intake(
    tmp_path: Path,
) -> None:
    """The partner's file that vanished is the partner's; a disk that is full is the machine's."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "abu_2023.csv").write_bytes(csv_bytes(numbered_rows("abu", 2023, 2)))
    (found,) = scan_inbox(inbox, quiet_seconds=0).ready
    (inbox / "abu_2023.csv").unlink()  # gone between the scan and the read
    with pytest.raises(UnreadableInboxFile) as unreadable:
        read_inbox_file(found, tmp_path / "archive", 1_000_000)
    assert unreadable.value.reason == "niet leesbaar (No such file or directory)"

    (inbox / "abu_2023.csv").write_bytes(csv_bytes(numbered_rows("abu", 2023, 2)))
    (found,) = scan_inbox(inbox, quiet_seconds=0).ready
    archive = tmp_path / "archive"
    archive.mkdir()
    real_fdopen = os.fdopen

    def fdopen_on_a_full_disk(handle: int, *args: object, **kwargs: object) -> object:
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, handle)
        os.close(full)
        return real_fdopen(handle, *args, **kwargs)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen_on_a_full_disk)
        with pytest.raises(OSError) as full_disk:
            read_inbox_file(found, archive, 1_000_000)
    assert not isinstance(full_disk.value, UnreadableInboxFile)
    assert (full_disk.value.strerror, full_disk.value.filename) == (
        "No space left on device",
        str(archive),
    )
    assert list(archive.iterdir()) == []  # no half-written file left behind
