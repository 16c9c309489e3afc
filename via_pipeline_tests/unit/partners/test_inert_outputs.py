"""Guards what partners' own text becomes in the files we write back: the CSV template's carried
rows never run as formulas, the feedback Markdown never renders as HTML, a link or an image."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from via_pipeline.core.partners.feedback import write_feedback
from via_pipeline.core.partners.problems import make_problem
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.partners.template import CarriedAction, write_template

PARTNERS = load_partners()
THEMES = load_themes()


@pytest.mark.parametrize(
    ("title", "written"),
    [
        ('=HYPERLINK("http://evil","klik")', '\'=HYPERLINK("http://evil","klik")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+31 20 123 45 67 bellen", "'+31 20 123 45 67 bellen"),
        ("-korting op loonkosten", "'-korting op loonkosten"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_csv_template_carries_formula_text_inert(tmp_path: Path, title: str, written: str) -> None:
    carried = [CarriedAction(title, "kans_op_baan_of_stage", title, "lopend", date(2023, 3, 1))]
    path = write_template(PARTNERS, THEMES, "uwv", 2024, tmp_path, "csv", carried)
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[1] == [
        "uwv",
        "2024",
        written,
        "kans_op_baan_of_stage",
        written,
        "lopend",
        "01-03-2023",
        "",
        "",
        "",
        "",
        "via",  # programma, the template's column after every file's own
    ]
    # No cell of the file starts with a character a spreadsheet would run.
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row
    )


def test_feedback_markdown_shows_partner_html_and_links_as_text(tmp_path: Path) -> None:
    problems = [
        make_problem(
            "unknown_theme", row=2, column="thema", value="<script>alert(1)</script>", expected="x"
        ),
        make_problem(
            "unknown_theme", row=3, column="thema", value="[x](javascript:alert(1))", expected="x"
        ),
        make_problem(
            "unknown_theme",
            row=4,
            column="thema",
            value="![](http://remote.example/img.png)",
            expected="x",
        ),
    ]
    paths = write_feedback(tmp_path, "abu_<b>2023</b>.csv", "ab" * 32, "abu", 2023, problems)
    markdown = paths[1].read_text(encoding="utf-8")
    assert markdown.startswith("# Terugkoppeling op abu_&lt;b&gt;2023&lt;/b&gt;.csv\n")
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; |" in markdown
    assert "| \\[x\\](javascript:alert(1)) |" in markdown
    assert "| !\\[\\](http://remote.example/img.png) |" in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html and "<img" not in html and "<a " not in html and "<b>" not in html
    assert "<td>[x](javascript:alert(1))</td>" in html
