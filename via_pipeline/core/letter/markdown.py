"""The annex as Markdown: the same content as the Word file, readable in a diff and in review.

Source notes become Markdown footnotes ([^1]); figures are linked by file name (they sit in the
same folder).
"""

from __future__ import annotations

from pathlib import Path

from via_pipeline.core.letter.document import (
    Annex,
    FigureBlock,
    LetterTable,
    Paragraph,
    TableBlock,
    format_cell,
)


def _escape(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def _text(text: str) -> str:
    """Prose for Markdown: the asterisk of a provisional year must not start emphasis."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


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
    lines = [f"# {annex.title}", "", annex.introduction, ""]
    notes: list[str] = []
    for section in annex.sections:
        lines += [f"## {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                text = _text(block.text)
                if block.note:
                    notes.append(block.note)
                    text += f"[^{len(notes)}]"
                lines += [text, ""]
            elif isinstance(block, TableBlock):
                lines += [f"**{block.table.title}**", "", *markdown_table(block.table), ""]
            elif isinstance(block, FigureBlock):
                lines += [f"![{block.caption}]({block.path.name})", "", f"*{block.caption}*", ""]
    if notes:
        lines += ["---", ""]
        lines += [f"[^{number}]: {_text(note)}" for number, note in enumerate(notes, start=1)]
        lines.append("")
    return "\n".join(lines)


def write_annex_markdown(annex: Annex, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(annex_markdown(annex), encoding="utf-8")
    return path
