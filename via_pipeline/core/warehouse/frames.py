"""Frames as the warehouse stores them: empty text as NULL, cells as the database gives them back.

Both engines must see the same values (PostgreSQL's CSV COPY cannot tell empty text from NULL),
and replace() compares stored rows with new ones as plain Python values.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pandas as pd


def normalise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text becomes NULL, on both engines alike (PostgreSQL's CSV COPY cannot tell them apart)."""
    # A shallow copy and one object array per text column: three times faster than
    # Series.where on the small frames a partner file's intake writes (docs/performance.md).
    result = frame.copy(deep=False)
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            values = series.to_numpy(dtype=object, copy=True)
            empty = pd.isna(values) | (values == "")
            if empty.any():
                values[empty] = None
            result[column] = pd.Series(values, index=series.index, dtype=object)
    return result


def _plain(value: Any) -> Any:
    """A cell as the plain Python value the database gives back; NULL-likes become None.

    Anything not recognised compares unequal, which only costs a rewrite."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def row_multiset(frame: pd.DataFrame) -> Counter[tuple[Any, ...]]:
    """The frame's rows as plain values, counted: equal when two frames hold the same rows."""
    return Counter(
        tuple(_plain(value) for value in row) for row in frame.itertuples(index=False, name=None)
    )
