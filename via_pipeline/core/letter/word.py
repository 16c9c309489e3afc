"""The annex as a Word file (python-docx), with the sources as real Word footnotes.

python-docx has no footnote API, so the footnotes part (word/footnotes.xml) is written here:
the two separator footnotes Word expects, then one footnote per source note, referenced from
the sentence by a superscript footnote mark. python-docx is imported inside the functions only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from via_pipeline.core.letter.document import (
    Annex,
    FigureBlock,
    LetterTable,
    Paragraph,
    TableBlock,
    format_cell,
)

W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
)
FOOTNOTES_RELATIONSHIP = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
)
FOOTNOTES_PARTNAME = "/word/footnotes.xml"
IMAGE_WIDTH_CM = 16.0

_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)


def _footnote_xml(number: int, text: str) -> str:
    return (
        f'<w:footnote w:id="{number}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
        "</w:p></w:footnote>"
    )


def footnotes_part_xml(notes: list[str]) -> bytes:
    """word/footnotes.xml holding the separators and one footnote per note (ids 1, 2, ...)."""
    body = "".join(_footnote_xml(number, note) for number, note in enumerate(notes, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:footnotes xmlns:w="{W_NAMESPACE}">{_SEPARATORS}{body}</w:footnotes>'
    ).encode()


def _add_footnote_reference(paragraph: Any, number: int) -> None:
    from docx.oxml import parse_xml

    paragraph._p.append(
        parse_xml(
            f'<w:r xmlns:w="{W_NAMESPACE}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{number}"/></w:r>'
        )
    )


def _add_table(document: Any, table: LetterTable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.add_paragraph(table.title, style="Caption")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(column.header)
        run.bold = True
        run.font.size = Pt(9)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value, column in zip(cells, row, table.columns, strict=True):
            run = cell.paragraphs[0].add_run(format_cell(value, column.kind))
            run.font.size = Pt(9)
            if column.kind in ("integer", "decimal"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if not table.rows:
        cells = grid.add_row().cells
        cells[0].text = "Geen gegevens."


def _set_proofing_language(document: Any, language: str) -> None:
    """Word checks spelling in the document's default language: Dutch, not the template's."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    for run_defaults in document.styles.element.iter(qn("w:rPrDefault")):
        properties = run_defaults.find(qn("w:rPr"))
        if properties is None:
            properties = parse_xml(f'<w:rPr xmlns:w="{W_NAMESPACE}"/>')
            run_defaults.append(properties)
        for old in properties.findall(qn("w:lang")):
            properties.remove(old)
        properties.append(
            parse_xml(
                f'<w:lang xmlns:w="{W_NAMESPACE}" w:val="{language}" w:eastAsia="{language}" '
                f'w:bidi="{language}"/>'
            )
        )


def write_annex_docx(annex: Annex, path: Path) -> Path:
    """Write the annex; headings per part, sentences with footnotes, tables and charts."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.shared import Cm

    document = docx.Document()
    document.core_properties.title = annex.title
    document.core_properties.language = "nl-NL"
    _set_proofing_language(document, "nl-NL")
    document.add_heading(annex.title, level=0)
    document.add_paragraph(annex.introduction)
    notes: list[str] = []
    for section in annex.sections:
        document.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                paragraph = document.add_paragraph(block.text)
                if block.note:
                    notes.append(block.note)
                    _add_footnote_reference(paragraph, len(notes))
            elif isinstance(block, TableBlock):
                _add_table(document, block.table)
            elif isinstance(block, FigureBlock):
                document.add_picture(str(block.path), width=Cm(IMAGE_WIDTH_CM))
                document.add_paragraph(block.caption, style="Caption")
    if notes:
        part = Part(
            PackURI(FOOTNOTES_PARTNAME),
            FOOTNOTES_CONTENT_TYPE,
            footnotes_part_xml(notes),
            document.part.package,
        )
        document.part.relate_to(part, FOOTNOTES_RELATIONSHIP)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def read_footnotes(path: Path) -> dict[int, str]:
    """The footnotes of a Word file by id (separators left out): for tests and checks."""
    import docx
    from lxml import etree

    document = docx.Document(str(path))
    for relationship in document.part.rels.values():
        if relationship.reltype == FOOTNOTES_RELATIONSHIP:
            root = etree.fromstring(relationship.target_part.blob)
            result: dict[int, str] = {}
            for footnote in root.findall(f"{{{W_NAMESPACE}}}footnote"):
                number = int(footnote.get(f"{{{W_NAMESPACE}}}id"))
                if number > 0:
                    texts = footnote.iter(f"{{{W_NAMESPACE}}}t")
                    result[number] = "".join(t.text or "" for t in texts).strip()
            return result
    return {}
