"""Finding a catalogue entry among a StatLine table's records: by title (compared normalised)
or key, never by the numbered OData keys CBS renumbers; and the mismatch error whose message
names what was looked for, the nearest titles and the titles the table has.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from via_pipeline.core.cbs.client import Record
from via_pipeline.core.cbs.titles import clean_title, normalise_key, normalise_title

DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension", "GeoDetail")


class CatalogueMismatchError(ValueError):
    """The table does not hold what cbs_tables.yaml says to take from it."""


def titles_found(records: Sequence[Record]) -> str:
    return ", ".join(repr(clean_title(r.get("Title"))) for r in records) or "none"


def nearest_titles(wanted: str, records: Sequence[Record], count: int = 3) -> list[str]:
    """The titles closest to `wanted` (compared normalised), best first, for messages."""
    by_normal = {normalise_title(r.get("Title")): clean_title(r.get("Title")) for r in records}
    target = normalise_title(wanted)
    # A title that contains the one looked for (or is contained in it) first: CBS lengthens
    # titles ("Buiten Europa (excl. 5 grote herkomstgroepen)"); then by similarity.
    containing = [n for n in by_normal if target and n and (target in n or n in target)]
    close = difflib.get_close_matches(target, list(by_normal), n=count, cutoff=0.4)
    ranked = list(dict.fromkeys([*containing, *close]))[:count]
    return [by_normal[normal] for normal in ranked]


def nearest_hint(wanted: str, records: Sequence[Record]) -> str:
    near = nearest_titles(wanted, records)
    return f"; nearest: {', '.join(repr(t) for t in near)}" if near else ""


def check_distinct_titles(table_id: str, dimension: str, categories: Sequence[Record]) -> None:
    """Two categories whose titles differ only in case, spaces, hyphens or punctuation cannot be
    told apart by title: an error naming both, rather than taking either."""
    seen: dict[str, Record] = {}
    for category in categories:
        normal = normalise_title(category.get("Title"))
        other = seen.get(normal)
        if other is not None and normalise_key(other.get("Key")) != normalise_key(
            category.get("Key")
        ):
            raise CatalogueMismatchError(
                f"CBS table {table_id}: dimension {dimension!r} has two categories with the "
                f"same title once case, spaces and punctuation are ignored: "
                f"{clean_title(other.get('Title'))!r} ({normalise_key(other.get('Key'))}) and "
                f"{clean_title(category.get('Title'))!r} ({normalise_key(category.get('Key'))})"
            )
        seen[normal] = category


def match_one(
    records: Sequence[Record], key: str | None, title: str | None, what: str, table_id: str
) -> Record | None:
    """The one record whose key or title matches; several distinct matches are an error."""
    wanted_key = normalise_key(key) if key else None
    wanted_title = normalise_title(title) if title else None
    found = [
        record
        for record in records
        if (wanted_key and normalise_key(record.get("Key")) == wanted_key)
        or (wanted_title and normalise_title(record.get("Title")) == wanted_title)
    ]
    distinct = {normalise_key(r.get("Key")): r for r in found}
    if len(distinct) > 1:
        raise CatalogueMismatchError(
            f"CBS table {table_id}: {what} is ambiguous: "
            f"keys {', '.join(sorted(distinct))} all match"
        )
    return next(iter(distinct.values()), None)


def dimensions_of(data_properties: Sequence[Record]) -> list[Record]:
    return [p for p in data_properties if p.get("Type") in DIMENSION_TYPES]


def find_dimension(dimensions: Sequence[Record], name: str) -> Record | None:
    wanted = normalise_title(name)
    for dimension in dimensions:
        if (
            normalise_title(dimension.get("Key")) == wanted
            or normalise_title(dimension.get("Title")) == wanted
        ):
            return dimension
    return None


def dimension_records(dimensions: Sequence[Record]) -> list[Record]:
    """Dimensions as records titled by key and title, for nearest-title hints."""
    return [{"Key": d.get("Key"), "Title": d.get("Title")} for d in dimensions]
