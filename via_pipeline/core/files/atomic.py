"""Writing a file whole or not at all: annex files, charts, feedback and lease records are replaced by a rename."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """A hidden name beside `path`, unique per process and call: two runs writing the same file
    at once each write their own temporary file (a fixed name made one lose the other's).
    The suffix stays last, so writers that choose a format by it (openpyxl, matplotlib) work."""
    return path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{path.suffix}")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` that replaces it when the block succeeds.

    Someone may have last year's annex open, or a run may die half-way: the file at `path` is
    always either the old one or the new one, never half written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_replacing(path: Path, write: Callable[[Path], object]) -> Path:
    with replacing(path) as temporary:
        write(temporary)
    return path
