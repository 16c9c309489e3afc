"""Reading a submission's bytes (CSV or XLSX) into rows of cells under the partner's header.

CSV: UTF-8 with or without BOM, a file wholly in Windows-1252, or Excel's "Unicode-tekst" (UTF-16,
tabs); `,`, `;` or tab separated (core.partners.decoding). XLSX: sheet `acties`, formulas read
as their cached values, a formula without one reported by cell (core.partners.workbook). The
header row may sit below title rows (within the first HEADER_SEARCH_ROWS); empty rows are
skipped. A file that cannot be read becomes a Problem, never an exception.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from via_pipeline.core.partners.decoding import UndecodableText, decode_text, is_utf16
from via_pipeline.core.partners.fileformat import FILE_COLUMNS, OPTIONAL_COLUMNS, normalise_header
from via_pipeline.core.partners.limits import (
    SubmissionLimits,
    load_limits,
    size_problem,
    too_many_columns,
    too_many_rows,
)
from via_pipeline.core.partners.problems import Problem, make_problem
from via_pipeline.core.partners.sniffing import xlsx_content_problem
from via_pipeline.core.partners.workbook import FormulaCell, UnreadableWorkbook, read_sheet

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
    # Problems of single cells found while reading (a formula without a value): they come first
    # among a cell's problems, so the cell is not also reported as empty.
    cell_problems: tuple[Problem, ...] = field(default_factory=tuple)


class UnreadableSubmission(Exception):
    """The file cannot be read as a table; `problem` says why, for the partner."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_nl)
        self.problem = problem


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with (core.partners.decoding, strict)."""
    try:
        decoded = decode_text(content)
    except UndecodableText as undecodable:
        raise UnreadableSubmission(undecodable.problem) from None
    return decoded.text, decoded.encoding


def sniff_delimiter(text: str) -> str:
    """Of `,`, `;` and tab, the one the first non-empty line has most of (`,` on a tie).

    Dutch Excel's CSV uses `;`, its "Unicode-tekst" tabs.
    """
    for line in text.splitlines():
        if line.strip():
            counts = {",": line.count(","), ";": line.count(";"), "\t": line.count("\t")}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] > counts[","] else ","
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
    if content.startswith(ZIP_MAGIC) or (b"\x00" in content and not is_utf16(content)):
        raise UnreadableSubmission(
            make_problem(
                "unreadable_file", value="het is een binair bestand, geen tekst", expected="CSV"
            )
        )
    text, encoding = decode_csv(content)
    if "\x00" in text:
        raise UnreadableSubmission(
            make_problem(
                "unreadable_file", value="het is een binair bestand, geen tekst", expected="CSV"
            )
        )
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = _bounded((list(cells) for cells in reader), limits)
    except csv.Error:
        # csv's own messages are English ("field larger than field limit"): say it in Dutch.
        raise UnreadableSubmission(
            make_problem(
                "unreadable_file",
                value="de indeling klopt niet (een waarde is te lang of een aanhalingsteken "
                "wordt niet gesloten)",
                expected="CSV",
            )
        ) from None
    return (
        [(number, list(cells)) for number, cells in enumerate(records, start=1)],
        encoding,
        delimiter,
    )


def read_xlsx_rows(
    content: bytes, limits: SubmissionLimits | None = None
) -> tuple[list[tuple[int, list[object]]], list[FormulaCell]]:
    """The sheet's rows, and its formula cells saved without a value."""
    try:
        return read_sheet(content, lambda records: _bounded(records, limits))
    except UnreadableWorkbook as unreadable:
        raise UnreadableSubmission(unreadable.problem) from None


def find_header(rows: Sequence[tuple[int, list[object]]]) -> int:
    """Index (in rows) of the header: the first row naming enough known columns.

    -1 when every row is empty; raises UnreadableSubmission, saying which rows were searched,
    when rows have text but none of the first HEADER_SEARCH_ROWS is a header.
    """
    searched = rows[:HEADER_SEARCH_ROWS]
    any_text = False
    for index, (_, cells) in enumerate(searched):
        if all(is_blank(cell) for cell in cells):
            continue
        any_text = True
        known = sum(1 for cell in cells if normalise_header(cell) in FILE_COLUMNS)
        if known >= HEADER_MIN_KNOWN:
            return index
    if not any_text and all(all(is_blank(cell) for cell in cells) for _, cells in rows):
        return -1
    last = searched[-1][0] if searched else 1
    raise UnreadableSubmission(
        make_problem("header_not_found", value=f"1 tot en met {last}", expected=HEADER_MIN_KNOWN)
    )


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
        if name not in positions and name not in OPTIONAL_COLUMNS:
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
        not_a_workbook = xlsx_content_problem(content)
        if not_a_workbook is not None:
            raise UnreadableSubmission(not_a_workbook)
        rows, formulas = read_xlsx_rows(content, limits)
        check_width(rows, limits)
        table = to_table(rows)
        if formulas:
            table = replace(table, cell_problems=formula_problems(table, rows, formulas))
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


def formula_problems(
    table: RawTable, rows: Sequence[tuple[int, list[object]]], formulas: Sequence[FormulaCell]
) -> tuple[Problem, ...]:
    """A problem per formula without a cached value in the header or a data row (title rows
    above the header are not read)."""
    header_cells = next(cells for number, cells in rows if number == table.header_row)
    problems = []
    for formula in formulas:
        if formula.row < table.header_row:
            continue
        name = (
            normalise_header(header_cells[formula.column])
            if formula.column < len(header_cells)
            else ""
        )
        problems.append(
            make_problem(
                "formula_without_value",
                row=formula.row,
                column=name if name in table.columns else None,
                value=formula.coordinate,
            )
        )
    return tuple(problems)
