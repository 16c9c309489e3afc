"""Turning a CSV (or Excel "Unicode-tekst") file's bytes into text, strictly.

What partners' programs save: UTF-8 (Excel's "CSV UTF-8", with a BOM), Windows-1252 (Excel's
plain "CSV" on Windows) and UTF-16 with a BOM, tab-separated (Excel's "Unicode-tekst"). Windows-1252
decodes almost any bytes, so it is only taken for a file with no UTF-8 text in it at all: a UTF-8
file with one row pasted from a Windows-1252 source is rejected naming that row, never read whole
as Windows-1252 (which turns every `é` of the other rows into `Ã©`).
"""

from __future__ import annotations

from dataclasses import dataclass

from via_pipeline.core.partners.problems import Problem, make_problem

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Rows named in a mixed-encoding message besides the first.
MORE_ROWS_NAMED = 5


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


class UndecodableText(Exception):
    """The bytes are no text we accept; `problem` says why, in Dutch."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_nl)
        self.problem = problem


def is_utf16(content: bytes) -> bool:
    return content.startswith(UTF16_BOMS)


def _utf16(content: bytes) -> DecodedText:
    try:
        return DecodedText(content.decode("utf-16"), "utf-16")
    except UnicodeDecodeError:
        raise UndecodableText(
            make_problem(
                "unreadable_file",
                value="het begint als Unicode-tekst (UTF-16), maar de tekens kloppen niet",
                expected="CSV",
            )
        ) from None


def _row_numbers(lines: list[bytes], encoding: str) -> tuple[list[int], list[int]]:
    """(rows that are not valid in `encoding`, rows with non-ASCII text that are), numbered from 1."""
    bad: list[int] = []
    good_non_ascii: list[int] = []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            bad.append(number)
            continue
        if not line.isascii():
            good_non_ascii.append(number)
    return bad, good_non_ascii


def _mixed(lines: list[bytes], bad: list[int]) -> UndecodableText:
    first = bad[0]
    shown = lines[first - 1].decode("cp1252", errors="replace").strip()
    others = bad[1 : 1 + MORE_ROWS_NAMED]
    more = ""
    if others:
        more = f" (ook rij {', '.join(str(number) for number in others)}"
        more += ", ...)" if len(bad) > 1 + MORE_ROWS_NAMED else ")"
    return UndecodableText(make_problem("mixed_encoding", row=first, value=shown, expected=more))


def decode_text(content: bytes) -> DecodedText:
    """The file's text: UTF-16 (BOM), UTF-8 (BOM or not), or a file that is wholly Windows-1252.

    Raises UndecodableText for a UTF-8 file with rows in another encoding (naming the first) and
    for bytes that are neither.
    """
    if is_utf16(content):
        return _utf16(content)
    if content.startswith(UTF8_BOM):
        body, encoding = content[len(UTF8_BOM) :], "utf-8-sig"
    else:
        body, encoding = content, "utf-8"
    try:
        return DecodedText(body.decode("utf-8"), encoding)
    except UnicodeDecodeError:
        pass
    # Lines split on LF only: a quoted value over two lines is then two lines, which still names
    # the line the partner sees in an editor.
    lines = body.split(b"\n")
    bad, utf8_rows = _row_numbers(lines, "utf-8")
    if encoding == "utf-8-sig" or utf8_rows:
        raise _mixed(lines, bad)
    try:
        return DecodedText(body.decode("cp1252"), "windows-1252")
    except UnicodeDecodeError:
        raise UndecodableText(
            make_problem(
                "unreadable_file",
                value="tekens die geen UTF-8 of Windows-1252 zijn",
                expected="CSV",
            )
        ) from None
