"""Writing untrusted text into Markdown without it ever becoming HTML, a link or an image.

Partner files are untrusted; their text (titles, names, values) reaches the annex and the
feedback Markdown. Rendered, `<script>`, `[x](javascript:...)` or `![](http://remote/img)`
would run, link or load; escaped, they show as the text the partner typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# HTML becomes character references: every Markdown renderer (CommonMark, GFM, Python-Markdown)
# shows them as text; a backslash before `<` is not an escape in Python-Markdown.
_HTML = {"<": "&lt;", ">": "&gt;"}
# Backslash escapes: a link or image needs [ ], emphasis * and code spans `; the backslash
# itself first, so a partner's own backslash cannot undo ours.
_MARKDOWN = ("\\", "`", "*", "[", "]")


def markdown_text(value: object) -> str:
    """Text for Markdown prose: no HTML, no link or image, no emphasis or code span."""
    text = "" if value is None else str(value)
    for character in _MARKDOWN:
        text = text.replace(character, "\\" + character)
    for character, reference in _HTML.items():
        text = text.replace(character, reference)
    return text


def markdown_cell(value: object) -> str:
    """A value in a Markdown table cell: escaped as prose, and a | or a line break would end
    the cell or the row."""
    return (
        markdown_text(value)
        .replace("|", "\\|")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def markdown_frame(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table (the previews in Dagster's run metadata), every text cell
    through markdown_cell; numbers stay numbers, so they keep their alignment."""
    escaped = frame.map(lambda value: markdown_cell(value) if isinstance(value, str) else value)
    escaped.columns = [markdown_cell(column) for column in frame.columns]
    return str(escaped.to_markdown(index=False))
