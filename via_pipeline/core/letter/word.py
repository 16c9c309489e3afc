"""The annex as a Word file (python-docx), with the sources as real Word footnotes.

python-docx has no footnote API, so the footnotes part (word/footnotes.xml) is written here:
the two separator footnotes Word expects, then one footnote per source note, referenced from
the sentence by a superscript footnote mark. python-docx is imported inside the functions only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from via_pipeline.core.files.ooxml import fix_package
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
WORD_SUBJECT = "Bijlage bij de voortgangsbrief {programme} over {year}"
# A4 with 2,5 cm margins: the page of a Dutch government document.
PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_CM = 2.5
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM
IMAGE_WIDTH_CM = TEXT_WIDTH_CM
# Table text is 8 pt; a generous width of one character of it (LibreOffice falls back to wide
# fonts) and a cell's left plus right margin (and some slack) tell how wide a column must be.
TABLE_FONT_PT = 8
CHAR_WIDTH_CM = 0.18
CELL_MARGIN_CM = 0.1
CELL_PADDING_CM = 2 * CELL_MARGIN_CM + 0.1
# A text column wider than this (names, titles) may break a long word when the table has no
# room for every column's longest word; narrower columns (codes, dates, numbers) never do.
FLEXIBLE_COLUMN_CM = 4.0
NUMERIC_KINDS = ("integer", "year", "decimal")
KEEP_TOGETHER_ROWS = 12

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


def _words(text: str) -> list[str]:
    return text.split() or [""]


def column_widths_cm(table: LetterTable, total_cm: float = TEXT_WIDTH_CM) -> list[float]:
    """Column widths that fill `total_cm`: each column at least as wide as its longest word
    (so no word is broken), the rest shared by how much longer each column's lines are.

    Text columns (partner names, action titles) get the room; numbers and dates stay narrow.
    """
    texts = [
        [column.header, *(format_cell(row[index], column.kind) for row in table.rows)]
        for index, column in enumerate(table.columns)
    ]
    minimum = [
        max(len(word) for text in column for word in _words(text)) * CHAR_WIDTH_CM + CELL_PADDING_CM
        for column in texts
    ]
    natural = [
        max(len(text) for text in column) * CHAR_WIDTH_CM + CELL_PADDING_CM for column in texts
    ]
    if sum(natural) <= total_cm:
        return [total_cm * width / sum(natural) for width in natural]
    if sum(minimum) > total_cm:
        flexible = [
            column.kind == "text" and wide > FLEXIBLE_COLUMN_CM
            for column, wide in zip(table.columns, natural, strict=True)
        ]
        fixed = sum(narrow for narrow, flex in zip(minimum, flexible, strict=True) if not flex)
        shared = sum(narrow for narrow, flex in zip(minimum, flexible, strict=True) if flex)
        if not shared or fixed >= total_cm:
            return [total_cm * width / sum(minimum) for width in minimum]
        room = total_cm - fixed
        return [
            narrow * room / shared if flex else narrow
            for narrow, flex in zip(minimum, flexible, strict=True)
        ]
    spare = total_cm - sum(minimum)
    extra = [wide - narrow for wide, narrow in zip(natural, minimum, strict=True)]
    return [narrow + spare * more / sum(extra) for narrow, more in zip(minimum, extra, strict=True)]


def _set_cell_margins(grid: Any, margin_cm: float) -> None:
    """Narrow left and right cell margins: more room for the text of 7-column tables."""
    from docx.oxml import parse_xml

    twips = round(margin_cm / 2.54 * 1440)
    properties = grid._tbl.tblPr
    for old in properties.findall(f"{{{W_NAMESPACE}}}tblCellMar"):
        properties.remove(old)
    properties.append(
        parse_xml(
            f'<w:tblCellMar xmlns:w="{W_NAMESPACE}"><w:left w:w="{twips}" w:type="dxa"/>'
            f'<w:right w:w="{twips}" w:type="dxa"/></w:tblCellMar>'
        )
    )


def _set_row_flags(row: Any, header: bool) -> None:
    """A row never splits over two pages; the header row repeats on every page."""
    from docx.oxml import parse_xml

    properties = row._tr.get_or_add_trPr()
    properties.append(parse_xml(f'<w:cantSplit xmlns:w="{W_NAMESPACE}"/>'))
    if header:
        properties.append(parse_xml(f'<w:tblHeader xmlns:w="{W_NAMESPACE}"/>'))


def _add_table(document: Any, table: LetterTable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    caption = document.add_paragraph(table.title, style="Caption")
    caption.paragraph_format.keep_with_next = True
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    _set_cell_margins(grid, CELL_MARGIN_CM)
    widths = [Cm(width) for width in column_widths_cm(table)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    right = {index for index, c in enumerate(table.columns) if c.kind in NUMERIC_KINDS}

    def fill(cells: Any, texts: list[str], bold: bool) -> None:
        for index, (cell, text, width) in enumerate(zip(cells, texts, widths, strict=True)):
            # Word reads the cell widths, LibreOffice the grid: both are set.
            cell.width = width
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.bold = bold
            run.font.size = Pt(TABLE_FONT_PT)
            if index in right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    fill(grid.rows[0].cells, [column.header for column in table.columns], bold=True)
    _set_row_flags(grid.rows[0], header=True)
    for row in table.rows:
        added = grid.add_row()
        _set_row_flags(added, header=False)
        fill(
            added.cells,
            [format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)],
            bold=False,
        )
    if not table.rows:
        added = grid.add_row()
        empty = ["Geen gegevens.", *[""] * (len(table.columns) - 1)]
        fill(added.cells, empty, bold=False)
    if len(grid.rows) <= KEEP_TOGETHER_ROWS:
        # A short table moves to the next page whole rather than leaving a row or two behind.
        for row in grid.rows[:-1]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    # Some space before whatever follows the table (a chart would touch its last row).
    document.add_paragraph().paragraph_format.space_after = Pt(0)


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
    for page in document.sections:
        page.page_width, page.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
        page.left_margin = page.right_margin = Cm(MARGIN_CM)
        page.top_margin = page.bottom_margin = Cm(MARGIN_CM)
    _set_proofing_language(document, "nl-NL")
    document.add_heading(annex.title, level=0)
    generated = annex.generated_line()
    if generated:
        document.add_paragraph(generated).runs[0].italic = True
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
                # The picture's paragraph stays on the page of its caption.
                document.paragraphs[-1].paragraph_format.keep_with_next = True
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
    # Our document properties (not python-docx's), dated from the inputs, fixed entry times.
    return fix_package(
        path,
        annex.package_properties(
            WORD_SUBJECT.format(programme=annex.programme_title, year=annex.reporting_year)
        ),
    )


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
