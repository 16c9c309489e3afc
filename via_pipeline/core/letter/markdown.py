"""The annex as Markdown: the same content as the Word file, readable in a diff and in review.

Source notes become Markdown footnotes ([^1]); figures are linked by file name (they sit in the
same folder).
"""

from __future__ import annotations

from pathlib import Path

from via_pipeline.core.files.markdown import markdown_cell, markdown_text
from via_pipeline.core.letter.document import (
    Annex,
    FigureBlock,
    LetterTable,
    Paragraph,
    TableBlock,
    format_cell,
)

# Partner text (action titles, names) is untrusted: every text goes through one escaping, which
# also keeps the asterisk of a provisional year from starting emphasis.
_escape = markdown_cell
_text = markdown_text


def markdown_table(table: LetterTable) -> list[str]:
    lines = [
        "| " + " | ".join(_escape(column.header) for column in table.columns) + " |",
        "| "
        + " | ".join(
            "---:" if column.kind in ("integer", "year", "decimal") else "---"
            for column in table.columns
        )
        + " |",
    ]
    for row in table.rows:
        cells = [
            _escape(format_cell(value, column.kind))
            for value, column in zip(row, table.columns, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        lines.append("| " + " | ".join(["—"] * len(table.columns)) + " |")
    return lines


def annex_markdown(annex: Annex) -> str:
    lines = [f"# {_text(annex.title)}", "", _text(annex.introduction), ""]
    notes: list[str] = []
    for section in annex.sections:
        lines += [f"## {_text(section.heading)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                text = _text(block.text)
                if block.note:
                    notes.append(block.note)
                    text += f"[^{len(notes)}]"
                lines += [text, ""]
            elif isinstance(block, TableBlock):
                lines += [f"**{_text(block.table.title)}**", "", *markdown_table(block.table), ""]
            elif isinstance(block, FigureBlock):
                caption = _text(block.caption)
                lines += [f"![{caption}]({block.path.name})", "", f"*{caption}*", ""]
    if notes:
        lines += ["---", ""]
        lines += [f"[^{number}]: {_text(note)}" for number, note in enumerate(notes, start=1)]
        lines.append("")
    return "\n".join(lines)


def write_annex_markdown(annex: Annex, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(annex_markdown(annex), encoding="utf-8")
    return path
