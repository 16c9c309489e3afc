"""The metadata every asset reports, built one way: row count, column schema, a Markdown preview."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.files.markdown import markdown_frame

if TYPE_CHECKING:
    import pandas as pd

PREVIEW_ROWS = 10


def _column_type(dtype: object) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    return "text"


def table_metadata(
    table: str, frame: pd.DataFrame, **extra: dg.RawMetadataValue
) -> dict[str, dg.RawMetadataValue]:
    """Metadata for a warehouse table just written: its name, rows, schema and first rows."""
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(c), type=_column_type(frame[c].dtype)) for c in frame.columns
        ]
    )
    preview = markdown_frame(frame.head(PREVIEW_ROWS)) if not frame.empty else "_no rows_"
    return {
        "warehouse_table": table,
        "dagster/row_count": len(frame),
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.md(preview),
        **extra,
    }


def file_metadata(paths: Iterable[Path]) -> dict[str, dg.RawMetadataValue]:
    """One `file:<name>` entry per file written, so the UI links them and the CLI lists them."""
    return {f"file:{path.name}": dg.MetadataValue.path(str(path)) for path in paths}
