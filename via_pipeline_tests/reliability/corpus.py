"""A generated corpus of malformed and hostile partner submission files, written at test time.

Nothing big is committed: the 200 MB CSV is a sparse file (created with truncate), the XLSX zip
bomb is compressed on the fly. Each case says what must happen to it: `accepted`, `rejected`
(with at least the rules listed), or `either` (a reading quirk; only "no crash, reasons given"
is required).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows, xlsx_bytes

BIG_CSV_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    case_id: str
    file_name: str
    build: Callable[[Path], None]  # writes the file to the given path
    expect: str  # accepted | rejected | either
    rules: frozenset[str] = frozenset()
    note: str = ""

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.case_id}__{self.file_name}"
        self.build(path)
        return path


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _rows_with(column: str, value: object, count: int = 2) -> list[list[object]]:
    rows = valid_rows(count=count)
    for row in rows:
        row[HEADER.index(column)] = value
    return rows


def _one_row_with(column: str, value: object) -> bytes:
    return csv_bytes(_rows_with(column, value, count=1))


def _text_csv(text: str) -> bytes:
    return text.encode("utf-8")


def _sparse_big_csv(path: Path) -> None:
    """A valid header and rows, then a hole up to 200 MB: instant to make, huge to read."""
    with path.open("wb") as stream:
        stream.write(csv_bytes(valid_rows(count=3)))
        stream.truncate(BIG_CSV_BYTES)


def _zip_bomb_xlsx(path: Path) -> None:
    """A real workbook whose sheet XML inflates to ~60 MB from well under 1 MB."""
    buffer = io.BytesIO(xlsx_bytes(valid_rows(count=1)))
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(item.filename, "w") as stream:
                    stream.write(data.replace(b"</worksheet>", b""))
                    filler = b"<!-- " + b"A" * (1024 * 1024 - 9) + b" -->"
                    for _ in range(60):
                        stream.write(filler)
                    stream.write(b"</worksheet>")
            else:
                bomb.writestr(item, data)


def _wide_csv(columns: int) -> bytes:
    header = HEADER + [f"extra_{i}" for i in range(columns - len(HEADER))]
    rows = [row + [""] * (columns - len(HEADER)) for row in valid_rows(count=1)]
    return csv_bytes(rows, header=header)


def _zip_not_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("acties.csv", csv_bytes(valid_rows()).decode())
    return buffer.getvalue()


def _xlsx_formula_cells() -> bytes:
    """Real formulas (no cached value, as openpyxl writes them) in titel and bereikte_personen."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "acties"
    sheet.append(HEADER)
    row = valid_rows(count=1)[0]
    row[HEADER.index("titel")] = '=HYPERLINK("http://evil.example","klik")'
    row[HEADER.index("bereikte_personen")] = "=1+1"
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_formula_text() -> bytes:
    """Text that looks like a formula, stored as text (a partner typed '=...)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "acties"
    sheet.append(HEADER)
    row = valid_rows(count=1)[0]
    sheet.append(row)
    cell = sheet.cell(row=2, column=HEADER.index("titel") + 1)
    cell.value = "=cmd|' /C calc'!A0"
    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


SQL = "x'); DROP TABLE partners.actions; --"
LONG_TEXT = "lang " * 20_000  # 100,000 characters, under the CSV field limit
TOO_LONG_TEXT = "x" * 200_000  # over Python's CSV field limit


CASES: tuple[Case, ...] = (
    # -- controls: the corpus runs through the same path good files take
    Case("valid_csv", "abu_2023.csv", _bytes(csv_bytes(valid_rows(count=3))), "accepted"),
    Case("valid_xlsx", "abu_2023.xlsx", _bytes(xlsx_bytes(valid_rows(count=3))), "accepted"),
    # -- encodings
    Case("utf8_bom", "abu_2023.csv", _bytes(b"\xef\xbb\xbf" + csv_bytes(valid_rows())), "accepted"),
    Case(
        "windows_1252",
        "abu_2023.csv",
        _bytes(csv_bytes(_rows_with("titel", "Café ‘Ëén’ – €"), encoding="cp1252")),
        "accepted",
    ),
    Case(
        "utf16_with_bom",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows()).decode().encode("utf-16")),
        "accepted",
        note="UTF-16 with a BOM is what Excel's Unicode-tekst writes (issue 26)",
    ),
    Case(
        "utf16_be_no_bom",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows()).decode().encode("utf-16-be")),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "undefined_cp1252_bytes",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows()) + b"abu,2023,A9,\x81\x8d\x8f\x90\x9d\r\n"),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "shift_jis_title",
        "abu_2023.csv",
        _bytes(csv_bytes(_rows_with("titel", "求人支援プログラム"), encoding="shift_jis")),
        "either",
        note="not UTF-8, read as Windows-1252 mojibake",
    ),
    # -- binary junk and wrong containers
    Case("random_bytes_csv", "abu_2023.csv", _bytes(_random_bytes(1, 4096)), "rejected"),
    Case("random_bytes_xlsx", "abu_2023.xlsx", _bytes(_random_bytes(2, 4096)), "rejected"),
    Case(
        "png_as_xlsx",
        "abu_2023.xlsx",
        _bytes(b"\x89PNG\r\n\x1a\n" + _random_bytes(3, 512)),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case("empty_file", "abu_2023.csv", _bytes(b""), "rejected", frozenset({"empty_file"})),
    Case("only_bom_and_blanks", "abu_2023.csv", _bytes(b"\xef\xbb\xbf \r\n\r\n"), "rejected"),
    Case(
        "nul_bytes_in_csv",
        "abu_2023.csv",
        _bytes(csv_bytes(_rows_with("titel", "a\x00b"))),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "zip_renamed_xlsx",
        "abu_2023.xlsx",
        _bytes(_zip_not_xlsx()),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "xlsx_renamed_csv",
        "abu_2023.csv",
        _bytes(xlsx_bytes(valid_rows())),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "csv_renamed_xlsx",
        "abu_2023.xlsx",
        _bytes(csv_bytes(valid_rows())),
        "rejected",
        frozenset({"unreadable_file"}),
    ),
    Case(
        "truncated_xlsx",
        "abu_2023.xlsx",
        _bytes(xlsx_bytes(valid_rows())[:1500]),
        "rejected",
        frozenset({"incomplete_file"}),
    ),
    Case(
        "xlsx_wrong_sheet",
        "abu_2023.xlsx",
        _bytes(xlsx_bytes(valid_rows(), sheet="Blad1")),
        "rejected",
        frozenset({"missing_sheet"}),
    ),
    Case(
        "xlsx_zip_bomb", "abu_2023.xlsx", _zip_bomb_xlsx, "rejected", frozenset({"file_too_large"})
    ),
    # -- size and shape limits
    Case("csv_200_mb", "abu_2023.csv", _sparse_big_csv, "rejected", frozenset({"file_too_large"})),
    Case(
        "csv_100000_columns",
        "abu_2023.csv",
        _bytes(_wide_csv(100_000)),
        "rejected",
        frozenset({"too_many_columns"}),
    ),
    Case(
        "csv_too_many_rows",
        "abu_2023.csv",
        lambda path: path.write_bytes(csv_bytes(valid_rows(count=10_001))),
        "rejected",
        frozenset({"too_many_rows"}),
    ),
    # -- formulas and formula-like text
    Case("xlsx_real_formulas", "abu_2023.xlsx", _bytes(_xlsx_formula_cells()), "rejected"),
    Case("xlsx_formula_text", "abu_2023.xlsx", _bytes(_xlsx_formula_text()), "accepted"),
    Case("csv_cell_equals", "abu_2023.csv", _bytes(_one_row_with("titel", "=1+1")), "accepted"),
    Case(
        "csv_cell_plus",
        "abu_2023.csv",
        _bytes(_one_row_with("toelichting", "+31 6 1234")),
        "accepted",
    ),
    Case("csv_cell_minus", "abu_2023.csv", _bytes(_one_row_with("titel", "-2+3")), "accepted"),
    Case("csv_cell_at", "abu_2023.csv", _bytes(_one_row_with("titel", "@SUM(A1:A9)")), "accepted"),
    Case(
        "csv_dde_payload",
        "abu_2023.csv",
        _bytes(_one_row_with("toelichting", "=cmd|' /C calc'!A0")),
        "accepted",
    ),
    Case(
        "formula_in_count",
        "abu_2023.csv",
        _bytes(_one_row_with("bereikte_personen", "=10*10")),
        "rejected",
        frozenset({"not_a_whole_number"}),
    ),
    # -- control and invisible characters
    Case(
        "control_chars_in_text",
        "abu_2023.csv",
        _bytes(_one_row_with("titel", "bel\x07 esc\x1b[31m rood\x1b[0m")),
        "accepted",
    ),
    Case(
        "control_char_in_rejected_value",
        "abu_2023.csv",
        _bytes(_one_row_with("thema", "\x1b[2J")),
        "rejected",
        frozenset({"unknown_theme"}),
        note="the feedback workbook must still be written",
    ),
    Case(
        "rtl_override_in_title",
        "abu_2023.csv",
        _bytes(_one_row_with("titel", "actie \u202egnp.exe")),
        "accepted",
    ),
    Case(
        "zero_width_in_partner_id",
        "abu_2023.csv",
        _bytes(_one_row_with("partner_id", "abu\u200b")),
        "rejected",
        frozenset({"unknown_partner"}),
    ),
    Case(
        "cyrillic_homoglyph_partner",
        "abu_2023.csv",
        _bytes(_one_row_with("partner_id", "аbu")),
        "rejected",
        frozenset({"unknown_partner"}),
    ),
    Case(
        "cr_only_line_ends",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows()).replace(b"\r\n", b"\r")),
        "either",
    ),
    Case(
        "unterminated_quote",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows()) + b'abu,2023,A9,"kapot\r\n'),
        "rejected",
    ),
    # -- SQL and other injections in text and names
    Case("sql_in_title", "abu_2023.csv", _bytes(_one_row_with("titel", SQL)), "accepted"),
    Case("sql_in_action_id", "abu_2023.csv", _bytes(_one_row_with("actie_id", SQL)), "accepted"),
    Case(
        "sql_in_partner_id",
        "abu_2023.csv",
        _bytes(_one_row_with("partner_id", SQL)),
        "rejected",
        frozenset({"unknown_partner"}),
    ),
    Case(
        "sql_in_file_name",
        "abu_2023'); DROP TABLE partners.actions; --.csv",
        _bytes(csv_bytes(valid_rows())),
        "rejected",
        frozenset({"file_name_pattern"}),
    ),
    Case(
        "path_traversal_name",
        "..%2F..%2Fetc%2Fpasswd_2023.csv",
        _bytes(csv_bytes(valid_rows())),
        "rejected",
        frozenset({"file_name_pattern"}),
    ),
    Case(
        "unknown_partner_name",
        "evil_2023.csv",
        _bytes(csv_bytes(valid_rows(partner_id="evil"))),
        "rejected",
        frozenset({"unknown_partner"}),
    ),
    # -- long strings and big numbers
    Case(
        "long_text_100k", "abu_2023.csv", _bytes(_one_row_with("toelichting", LONG_TEXT)), "either"
    ),
    Case(
        "text_over_csv_field_limit",
        "abu_2023.csv",
        _bytes(_one_row_with("toelichting", TOO_LONG_TEXT)),
        "rejected",
    ),
    Case(
        "huge_integer",
        "abu_2023.csv",
        _bytes(_one_row_with("bereikte_personen", "99999999999999999999999")),
        "rejected",
        frozenset({"number_too_large"}),
    ),
    Case(
        "integer_over_int32",
        "abu_2023.csv",
        _bytes(_one_row_with("bereikte_werkgevers", "3000000000")),
        "rejected",
        frozenset({"number_too_large"}),
    ),
    # -- headers
    Case(
        "duplicate_headers",
        "abu_2023.csv",
        _bytes(csv_bytes([[*row, "x"] for row in valid_rows()], header=[*HEADER, "titel"])),
        "rejected",
        frozenset({"duplicate_column"}),
    ),
    Case(
        "header_only",
        "abu_2023.csv",
        _bytes(csv_bytes([])),
        "rejected",
        frozenset({"empty_file"}),
    ),
    Case(
        "missing_and_unknown_columns",
        "abu_2023.csv",
        _bytes(
            csv_bytes(
                [[*row[:-2], "?"] for row in valid_rows()], header=[*HEADER[:-2], "wachtwoord"]
            )
        ),
        "rejected",
        frozenset({"missing_column", "unknown_column"}),
    ),
    # -- dates
    Case(
        "date_31_02_2023",
        "abu_2023.csv",
        _bytes(_one_row_with("startdatum", "31-02-2023")),
        "rejected",
        frozenset({"not_a_date"}),
    ),
    Case(
        "date_2023_02_29",
        "abu_2023.csv",
        _bytes(_one_row_with("einddatum", "2023-02-29")),
        "rejected",
        frozenset({"not_a_date"}),
    ),
    Case(
        "date_zeroes",
        "abu_2023.csv",
        _bytes(_one_row_with("startdatum", "00-00-0000")),
        "rejected",
        frozenset({"not_a_date"}),
    ),
    Case(
        "date_excel_serial",
        "abu_2023.csv",
        _bytes(_one_row_with("startdatum", "45000")),
        "rejected",
        frozenset({"not_a_date"}),
    ),
    Case(
        "date_leap_day_2024",
        "abu_2024.csv",
        _bytes(csv_bytes([[*row[:6], "29-02-2024", *row[7:]] for row in valid_rows(year=2024)])),
        "accepted",
    ),
    Case(
        "row_cut_inside_a_number",
        "abu_2023.csv",
        _bytes(csv_bytes(valid_rows(count=3), delimiter=";").rstrip(b"\r\n").rsplit(b";", 3)[0]),
        "rejected",
        frozenset({"wrong_field_count"}),
        "a copy stopped mid-row: the last row has fewer fields than the header",
    ),
    Case(
        "row_with_a_stray_delimiter",
        "abu_2023.csv",
        _bytes(
            csv_bytes(valid_rows(count=2), delimiter=";").replace(
                b"Voorbeeld: actie 2", b"Voorbeeld; actie 2"
            )
        ),
        "rejected",
        frozenset({"wrong_field_count"}),
        "an unquoted ';' in a text: more fields than the header, never shifted into columns",
    ),
    Case(
        "semicolon_decimal_comma",
        "abu_2023.csv",
        _bytes(csv_bytes(_rows_with("bereikte_personen", "12,5"), delimiter=";")),
        "rejected",
        frozenset({"decimal_in_count"}),
    ),
)
