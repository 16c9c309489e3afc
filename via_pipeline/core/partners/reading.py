"""Reading a submission's bytes (CSV or XLSX) into rows of cells under the partner's header.

CSV: UTF-8 with or without BOM, else Windows-1252; `,` or `;` separated. XLSX: sheet `acties`,
formulas read as their cached values. The header row may sit below a title row; empty rows are
skipped. A file that cannot be read becomes a Problem, never an exception.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from via_pipeline.core.partners.fileformat import FILE_COLUMNS, SHEET_NAME, normalise_header
from via_pipeline.core.partners.limits import (
    SubmissionLimits,
    load_limits,
    size_problem,
    too_many_columns,
    too_many_rows,
)
from via_pipeline.core.partners.problems import Problem, make_problem

# A header is the first row naming at least this many known columns (a title row names none).
HEADER_MIN_KNOWN = 3
HEADER_SEARCH_ROWS = 20
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RawRow:
    """One data row: its spreadsheet row number and cells by normalised column name."""

    number: int
    cells: dict[str, object]


@dataclass(frozen=True)
class RawTable:
    header_row: int
    columns: tuple[str, ...]  # normalised names, in file order, empty names left out
    original_names: dict[str, str]
    rows: tuple[RawRow, ...]
    encoding: str = ""
    delimiter: str = ""
    problems: tuple[Problem, ...] = field(default_factory=tuple)


class UnreadableSubmission(Exception):
    """The file cannot be read as a table; `problem` says why, for the partner."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_nl)
        self.problem = problem


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (BOM or not), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise UnreadableSubmission(
            make_problem(
                "unreadable_file",
                value="tekens die geen UTF-8 of Windows-1252 zijn",
                expected="CSV",
            )
        ) from None


def sniff_delimiter(text: str) -> str:
    """`;` when the first non-empty line has more semicolons than commas (Dutch Excel's CSV)."""
    for line in text.splitlines():
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _bounded(
    records: Iterator[list[object]], limits: SubmissionLimits | None
) -> list[list[object]]:
    """All records, or (with limits) at most enough to see the limit is broken: never all of a huge file."""
    if limits is None:
        return list(records)
    most = limits.max_rows + HEADER_SEARCH_ROWS + 1
    kept = list(itertools.islice(records, most + 1))
    if len(kept) > most:
        raise UnreadableSubmission(too_many_rows(limits))
    return kept


def read_csv_rows(
    content: bytes, limits: SubmissionLimits | None = None
) -> tuple[list[tuple[int, list[object]]], str, str]:
    if content.startswith(ZIP_MAGIC) or b"\x00" in content:
        raise UnreadableSubmission(
            make_problem(
                "unreadable_file", value="het is een binair bestand, geen tekst", expected="CSV"
            )
        )
    text, encoding = decode_csv(content)
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = _bounded((list(cells) for cells in reader), limits)
    except csv.Error as error:
        raise UnreadableSubmission(
            make_problem("unreadable_file", value=str(error), expected="CSV")
        ) from None
    return (
        [(number, list(cells)) for number, cells in enumerate(records, start=1)],
        encoding,
        delimiter,
    )


def read_xlsx_rows(
    content: bytes, limits: SubmissionLimits | None = None
) -> list[tuple[int, list[object]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if content.startswith(ZIP_MAGIC) and not zipfile.is_zipfile(io.BytesIO(content)):
        # A ZIP's directory is at its end: without it the copy was cut off.
        raise UnreadableSubmission(
            make_problem("incomplete_file", value=f"{len(content)} bytes, zonder ZIP-inhoudsopgave")
        )
    try:
        # data_only: a formula cell gives the value Excel last computed, not the formula text.
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        reason = (
            "het is geen Excel-werkmap (.xlsx)" if not content.startswith(ZIP_MAGIC) else str(error)
        )
        raise UnreadableSubmission(
            make_problem("unreadable_file", value=reason, expected="XLSX")
        ) from None
    try:
        sheets = {name.strip().lower(): name for name in workbook.sheetnames}
        if SHEET_NAME not in sheets:
            raise UnreadableSubmission(
                make_problem("missing_sheet", value=", ".join(workbook.sheetnames))
            )
        sheet = workbook[sheets[SHEET_NAME]]
        records = _bounded(
            (list(cells) for cells in sheet.iter_rows(min_row=1, values_only=True)), limits
        )
        return list(enumerate(records, start=1))
    finally:
        workbook.close()


def find_header(rows: Sequence[tuple[int, list[object]]]) -> int:
    """Index (in rows) of the header: the first row naming enough known columns, else the first non-empty row."""
    first_non_empty = -1
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if all(is_blank(cell) for cell in cells):
            continue
        if first_non_empty < 0:
            first_non_empty = index
        known = sum(1 for cell in cells if normalise_header(cell) in FILE_COLUMNS)
        if known >= HEADER_MIN_KNOWN:
            return index
    return first_non_empty


def to_table(
    rows: list[tuple[int, list[object]]],
    encoding: str = "",
    delimiter: str = "",
    *,
    fields_as_header: bool = False,
) -> RawTable:
    """Rows of cells -> the header and the non-empty data rows under it, with header problems.

    fields_as_header (CSV): a row with fewer or more fields than the header is a problem of its
    own and its cells are not read (never padded): a cut-off copy or a stray delimiter.
    """
    header_index = find_header(rows)
    if header_index < 0:
        raise UnreadableSubmission(make_problem("empty_file"))
    header_row, header_cells = rows[header_index]
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    original: dict[str, str] = {}
    for position, cell in enumerate(header_cells):
        name = normalise_header(cell)
        if not name:
            continue
        if name in positions:
            problems.append(
                make_problem("duplicate_column", row=header_row, column=name, value=cell)
            )
            continue
        positions[name] = position
        original[name] = str(cell)
    for name in positions:
        if name not in FILE_COLUMNS:
            problems.append(
                make_problem(
                    "unknown_column", row=header_row, column=original[name], value=original[name]
                )
            )
    for name in FILE_COLUMNS:
        if name not in positions:
            problems.append(make_problem("missing_column", row=header_row, column=name))

    data_rows: list[RawRow] = []
    for number, cells in rows[header_index + 1 :]:
        if all(is_blank(cell) for cell in cells):
            continue
        if fields_as_header and len(cells) != len(header_cells):
            problems.append(
                make_problem(
                    "wrong_field_count",
                    row=number,
                    value=len(cells),
                    expected=len(header_cells),
                )
            )
            continue
        data_rows.append(
            RawRow(
                number=number,
                cells={
                    name: cells[position] if position < len(cells) else None
                    for name, position in positions.items()
                },
            )
        )
    if not data_rows and not any(p.rule == "wrong_field_count" for p in problems):
        problems.append(make_problem("empty_file"))
    return RawTable(
        header_row=header_row,
        columns=tuple(positions),
        original_names=original,
        rows=tuple(data_rows),
        encoding=encoding,
        delimiter=delimiter,
        problems=tuple(problems),
    )


def check_width(rows: Sequence[tuple[int, list[object]]], limits: SubmissionLimits) -> None:
    """A header (or title) row wider than the limit ends reading before any per-cell work."""
    widest = max(
        (sum(1 for cell in cells if not is_blank(cell)) for _, cells in rows[:HEADER_SEARCH_ROWS]),
        default=0,
    )
    if widest > limits.max_columns:
        raise UnreadableSubmission(too_many_columns(widest, limits))


def read_submission(
    content: bytes, extension: str, limits: SubmissionLimits | None = None
) -> RawTable:
    """The file's table; raises UnreadableSubmission for a file that is empty, too big or not a table.

    `limits` default to config/submission_limits.yaml; sizes are checked before parsing.
    """
    limits = limits or load_limits()
    too_large = size_problem(content, extension, limits)
    if too_large is not None:
        raise UnreadableSubmission(too_large)
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableSubmission(make_problem("empty_file"))
    if extension == "xlsx":
        rows = read_xlsx_rows(content, limits)
        check_width(rows, limits)
        table = to_table(rows)
    elif extension == "csv":
        rows, encoding, delimiter = read_csv_rows(content, limits)
        check_width(rows, limits)
        table = to_table(rows, encoding, delimiter, fields_as_header=True)
    else:
        raise UnreadableSubmission(
            make_problem("unreadable_file", value=f"extensie .{extension}", expected="CSV of XLSX")
        )
    if len(table.rows) > limits.max_rows:
        raise UnreadableSubmission(too_many_rows(limits))
    return table
