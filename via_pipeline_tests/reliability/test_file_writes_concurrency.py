"""Two processes writing the same annex file at once: each through its own temporary name.

A fixed temporary name let one writer rename or delete the other's half-written file
(FileNotFoundError: …/.voortgang_via_2023_tabellen.tmp.xlsx, issue 17).
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from via_pipeline.core.files.atomic import temporary_name, write_replacing

ROUNDS = 40


def _write_many(target: str, label: str, start: float) -> None:
    while time.monotonic() < start:  # both begin together
        time.sleep(0.001)

    def slow_write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            handle.write(label * 1000)
            handle.flush()
            time.sleep(0.002)  # the other writer runs meanwhile
            handle.write(label * 1000)

    for _ in range(ROUNDS):
        write_replacing(Path(target), slow_write)


def test_two_writers_at_once_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "voortgang_via_2023_tabellen.xlsx"
    context = multiprocessing.get_context("fork")
    start = time.monotonic() + 0.3
    writers = [
        context.Process(target=_write_many, args=(str(target), label, start)) for label in "ab"
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [writer.exitcode for writer in writers] == [0, 0]
    # Whole, from one writer, and no temporary file left behind.
    assert target.read_text(encoding="utf-8") in ("a" * 2000, "b" * 2000)
    assert [path.name for path in tmp_path.iterdir()] == [target.name]


def test_temporary_names_are_hidden_unique_and_keep_the_suffix(tmp_path: Path) -> None:
    target = tmp_path / "voortgang_via_2023_tabellen.xlsx"
    names = {temporary_name(target) for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert name.parent == tmp_path
        assert name.name.startswith(".voortgang_via_2023_tabellen.")
        assert name.suffix == ".xlsx"
