"""Telling a new receipt of a partner file from the same one seen again.

A receipt is a file as it lay in the inbox: name, content, size and modification time. A rerun
sees the same receipt and skips it; the same bytes saved into the inbox again later (a partner
re-sends v1 after v2) are a new receipt, and the last receipt counts (docs/operations.md).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from via_pipeline.core.partners.archive import ArchivedFile
from via_pipeline.core.warehouse import WarehouseStore

SAME_RECEIPT = "already recorded: the same file (content, name, size, modification time)"
CURRENT_AGAIN = "received again; already the current version (its receipt time is updated)"


def existing_row(conn: Connection, sha256: str, file_name: str) -> dict[str, object] | None:
    row = (
        conn.execute(
            sa.text(
                "SELECT received_at, status, is_current, supersedes_sha256, size_bytes, "
                "file_modified_at FROM partners.submissions "
                "WHERE sha256 = :sha256 AND file_name = :file_name"
            ),
            {"sha256": sha256, "file_name": file_name},
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def recorded_state(store: WarehouseStore, archived: ArchivedFile) -> dict[str, object] | None:
    """The partners.submissions row of these bytes under this name, or None."""
    with store.transaction() as conn:
        return existing_row(conn, archived.sha256, archived.file_name)


def is_new_receipt(recorded: dict[str, object], archived: ArchivedFile) -> bool:
    """Whether bytes recorded before under this name were received again since.

    The inbox file's size and modification time tell: the same means the same receipt (a rerun).
    Unknown on either side (a replay, a row recorded before file_modified_at was kept) counts as
    the same receipt, so nothing recorded changes without a new file in the inbox.
    """
    recorded_at = recorded.get("file_modified_at")
    if archived.modified_at is None or recorded_at is None or pd.isna(recorded_at):
        return False
    return (pd.Timestamp(recorded_at), recorded.get("size_bytes")) != (
        pd.Timestamp(archived.modified_at),
        archived.size_bytes,
    )


def received_again_while_current(store: WarehouseStore, archived: ArchivedFile) -> None:
    """The current version received again: its row takes the new receipt, nothing else changes."""
    with store.transaction() as conn:
        conn.execute(
            sa.text(
                "UPDATE partners.submissions SET received_at = :received_at, "
                "size_bytes = :size_bytes, file_modified_at = :modified_at "
                "WHERE sha256 = :sha256 AND file_name = :file_name"
            ),
            {
                "received_at": archived.received_at,
                "size_bytes": archived.size_bytes,
                "modified_at": archived.modified_at,
                "sha256": archived.sha256,
                "file_name": archived.file_name,
            },
        )


def same_receipt_recorded(store: WarehouseStore, archived: ArchivedFile) -> bool:
    recorded = recorded_state(store, archived)
    return recorded is not None and not is_new_receipt(recorded, archived)
