"""Limits on one submission file, from config/submission_limits.yaml, checked before parsing.

Partner files are untrusted: a 200 MB CSV, an XLSX that unzips to gigabytes or a header of
100,000 columns must end as a rejection with a reason, quickly, never as a run that eats the
machine. Size limits are checked on the bytes before any parser sees them; rows are counted
while reading and reading stops at the limit; columns are counted before any per-cell work.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import MISSING, dataclass
from functools import lru_cache
from pathlib import Path

from via_pipeline.core.partners.problems import Problem, make_problem
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

LIMITS_FILE = "submission_limits.yaml"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class SubmissionLimits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_rows: int
    max_columns: int
    # Entries in an XLSX's ZIP directory: a workbook has a few dozen; thousands are an attack
    # on the reader (every entry is a header to parse), however small each one is.
    max_zip_entries: int = 1000


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@lru_cache(maxsize=8)
def load_limits(config_dir: Path = CONFIG_DIR) -> SubmissionLimits:
    """The limits from config; a missing or non-positive value is an error naming the file."""
    document = load_yaml(LIMITS_FILE, config_dir)
    values: dict[str, int] = {}
    for name, declared in SubmissionLimits.__dataclass_fields__.items():
        raw = document.get(name) if isinstance(document, dict) else None
        if raw is None and not isinstance(declared.default, type(MISSING)):
            continue  # a limit added later keeps its default in an older config file
        if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
            raise ConfigFileError(
                f"{config_dir / LIMITS_FILE}: `{name}` must be a whole number above 0, got {raw!r}"
            )
        values[name] = raw
    return SubmissionLimits(**values)


def size_problem(content: bytes, extension: str, limits: SubmissionLimits) -> Problem | None:
    """A file too large as received, or (XLSX) once unzipped; None when within the limits.

    The unzipped size is read from the ZIP directory without inflating anything; zipfile
    refuses to inflate a member beyond its declared size, so the directory cannot lie to us.
    """
    if len(content) > limits.max_file_bytes:
        return too_large(len(content), limits)
    if extension == "xlsx" and content.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                entries = archive.infolist()
                unzipped = sum(item.file_size for item in entries)
        except (zipfile.BadZipFile, ValueError, OSError):
            return None  # not a readable ZIP: the XLSX reader says so in its own words
        if len(entries) > limits.max_zip_entries:
            return make_problem(
                "file_too_large",
                value=f"{_number(len(entries))} onderdelen in het Excel-bestand",
                expected=f"{_number(limits.max_zip_entries)} onderdelen",
            )
        if unzipped > limits.max_uncompressed_bytes:
            return make_problem(
                "file_too_large",
                value=f"{_number(unzipped)} bytes uitgepakt",
                expected=f"{_number(limits.max_uncompressed_bytes)} bytes uitgepakt",
            )
    return None


def too_large(size_bytes: int, limits: SubmissionLimits) -> Problem:
    """The file as received is over the limit (known from stat(), before a byte is read)."""
    return make_problem(
        "file_too_large",
        value=f"{_number(size_bytes)} bytes",
        expected=f"{_number(limits.max_file_bytes)} bytes",
    )


def too_many_rows(limits: SubmissionLimits) -> Problem:
    return make_problem("too_many_rows", expected=_number(limits.max_rows))


def too_many_columns(count: int, limits: SubmissionLimits) -> Problem:
    return make_problem("too_many_columns", value=_number(count), expected=limits.max_columns)
