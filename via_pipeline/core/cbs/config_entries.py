"""Reading one YAML entry's fields, shared by cbs_tables.yaml and population_groups.yaml: a
missing field fails with a sentence naming where it stands.
"""

from __future__ import annotations

from typing import Any

from via_pipeline.core.settings.config import ConfigFileError


def require_field(entry: Any, field: str, where: str) -> Any:
    if not isinstance(entry, dict) or entry.get(field) in (None, ""):
        raise ConfigFileError(f"{where}: `{field}` is required")
    return entry[field]


def optional_text(entry: dict[str, Any], field: str) -> str | None:
    value = entry.get(field)
    return None if value in (None, "") else str(value)
