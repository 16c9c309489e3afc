"""Guards the two escapings of untrusted text: csv_safe (a CSV cell never runs as a formula) and
markdown_text / markdown_cell (Markdown never renders partner text as HTML, a link or an image)."""

from __future__ import annotations

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from via_pipeline.core.files.markdown import markdown_cell, markdown_frame, markdown_text
from via_pipeline.core.files.spreadsheet import csv_safe

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "[klik](javascript:alert(1))",
    "![](http://remote.example/img.png)",
    "<img src=x onerror=alert(1)>",
    "<http://remote.example/>",
    "\\[x](javascript:alert(1))",
    "`code` en *nadruk*",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","klik")', '\'=HYPERLINK("http://evil","klik")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+31 20 123", "'+31 20 123"),
        ("-1 actie", "'-1 actie"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Stagebank", "Stagebank"),
        ("a=b", "a=b"),
        (3, 3),
    ],
)
def test_csv_safe(value: object, expected: object) -> None:
    assert csv_safe(value) == expected


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_markdown_text_renders_as_the_text_typed(text: str) -> None:
    html = MarkdownIt("commonmark").render(markdown_text(text))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<code>" not in html and "<em>" not in html
    # What the reader sees is exactly what the partner typed.
    plain = MarkdownIt("commonmark").render(markdown_text(text)).removeprefix("<p>")
    assert plain.removesuffix("</p>\n") == text.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;"
    ).replace('"', "&quot;")


def test_markdown_cell_stays_in_its_cell() -> None:
    cell = markdown_cell("a | b\nc <b>")
    assert cell == "a \\| b c &lt;b&gt;"
    table = MarkdownIt("commonmark").enable("table").render(f"| x |\n|---|\n| {cell} |\n")
    assert "<td>a | b c &lt;b&gt;</td>" in table
    assert markdown_cell(None) == "" and markdown_cell(3) == "3"


def test_markdown_frame_escapes_text_and_keeps_numbers() -> None:
    """The previews in Dagster's run metadata: a partner's title or file name is text there too."""
    frame = pd.DataFrame(
        {
            "file": ["abu_2023.csv", "<img src=x>.csv"],
            "titel": ["[x](javascript:1)", "a|b"],
            "n": [3, 12],
        }
    )
    table = markdown_frame(frame)
    body = [" ".join(line.split()) for line in table.splitlines()[2:]]
    assert body == [
        "| abu_2023.csv | \\[x\\](javascript:1) | 3 |",
        "| &lt;img src=x&gt;.csv | a\\|b | 12 |",
    ]
    html = MarkdownIt("commonmark").enable("table").render(table)
    assert "<img" not in html and "<a " not in html and ">a|b</td>" in html
