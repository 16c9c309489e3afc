"""Warehouse timestamps are UTC without a zone (migration 0001): one conversion for every writer."""

from __future__ import annotations

from datetime import UTC, datetime


def naive_utc(moment: datetime) -> datetime:
    """An aware moment in UTC, zone dropped; a naive one is taken to be UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
