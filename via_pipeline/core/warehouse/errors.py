"""The warehouse's one error type, raised by every module of the package."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message says which table and why."""
