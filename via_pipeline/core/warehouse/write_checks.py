"""Checks every write must pass: registered per warehouse, run by WarehouseStore before it writes.

core/runs/lease.py registers one while it holds the PostgreSQL write lease ("this run still holds
the lease"); nothing is registered for DuckDB, whose file lock cannot be lost while the process
lives. WarehouseStore runs the check on the write's own connection before each DELETE and bulk
insert, before each statement of an SQL file, and before each commit of `transaction()`; a check
that raises stops the write, and the transaction it was in is rolled back. Statements a caller
runs itself inside `store.transaction()` are covered by the check before the commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Connection

WriteCheck = Callable[[Connection], None]

_CHECKS: dict[str, WriteCheck] = {}
_GUARD = threading.Lock()


def register_write_check(location: str, check: WriteCheck) -> None:
    """Run `check` before every write to the warehouse at `location` (WarehouseStore.location)."""
    with _GUARD:
        _CHECKS[location] = check


def unregister_write_check(location: str) -> None:
    with _GUARD:
        _CHECKS.pop(location, None)


def write_check(location: str) -> WriteCheck | None:
    """The check registered for the warehouse at `location`, if any."""
    return _CHECKS.get(location)
