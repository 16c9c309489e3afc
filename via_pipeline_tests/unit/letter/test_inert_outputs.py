"""Guards the letter's Markdown against partners' own text: the annex and the warnings files
show `<script>`, `[x](javascript:...)` and remote images as the text typed, never rendered."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from via_pipeline.core.letter.across_years.warnings import (
    ACTION_WARNING_COLUMNS,
    write_warning_files,
)
from via_pipeline.core.letter.document import (
    Annex,
    Column,
    LetterTable,
    Paragraph,
    Section,
    TableBlock,
)
from via_pipeline.core.letter.markdown import annex_markdown

HOSTILE = (
    "<script>alert(1)</script>",
    "[klik](javascript:alert(1))",
    "![](http://remote.example/img.png)",
)


def _rendered(markdown: str) -> str:
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    return html


def test_annex_markdown_shows_partner_text_as_typed() -> None:
    table = LetterTable(
        sheet="Acties",
        title="Acties van <i>partners</i>",
        columns=(Column("Partner"), Column("Actie")),
        rows=tuple(("ABU <b>", title) for title in HOSTILE),
    )
    annex = Annex(
        reporting_year=2023,
        title="Bijlage voortgang Werkagenda VIA 2023",
        introduction="Inleiding.",
        sections=(
            Section(
                "Partner <u>ABU</u>",
                (Paragraph(f"ABU meldt {HOSTILE[1]}.", f"Bron: {HOSTILE[2]}"), TableBlock(table)),
            ),
        ),
    )
    markdown = annex_markdown(annex)
    assert "## Partner &lt;u&gt;ABU&lt;/u&gt;" in markdown
    assert "ABU meldt \\[klik\\](javascript:alert(1)).[^1]" in markdown
    assert "[^1]: Bron: !\\[\\](http://remote.example/img.png)" in markdown
    assert "| ABU &lt;b&gt; | &lt;script&gt;alert(1)&lt;/script&gt; |" in markdown
    html = _rendered(markdown)
    assert "<td>[klik](javascript:alert(1))</td>" in html
    assert "<td>![](http://remote.example/img.png)</td>" in html


def test_warnings_markdown_shows_partner_text_as_typed(tmp_path: Path) -> None:
    warnings = pd.DataFrame(
        [
            {
                "reporting_year": 2024,
                "partner_id": "abu",
                "action_id": f"A{number}",
                "rule": "title_changed",
                "previous_value": "Stagebank",
                "current_value": title,
                "message_nl": f"Actie A{number} heette in 2023 'Stagebank' en nu '{title}'.",
                "submission_sha256": "cd" * 32,
            }
            for number, title in enumerate(HOSTILE, start=1)
        ],
        columns=ACTION_WARNING_COLUMNS,
    )
    paths = write_warning_files(tmp_path, warnings)
    markdown = paths[1].read_text(encoding="utf-8")
    assert "nu '&lt;script&gt;alert(1)&lt;/script&gt;'. |" in markdown
    assert "nu '\\[klik\\](javascript:alert(1))'. |" in markdown
    assert "nu '!\\[\\](http://remote.example/img.png)'. |" in markdown
    html = _rendered(markdown)
    assert "nu '[klik](javascript:alert(1))'.</td>" in html
