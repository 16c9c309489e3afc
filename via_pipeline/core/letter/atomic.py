"""Writing a file whole or not at all: the annex files and charts are replaced by a rename."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` that replaces it when the block succeeds.

    Someone may have last year's annex open, or a run may die half-way: the file at `path` is
    always either the old one or the new one, never half written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_replacing(path: Path, write: Callable[[Path], object]) -> Path:
    with replacing(path) as temporary:
        write(temporary)
    return path
