"""The quarterly part of the annex (issue 24), read from monitor.quarterly_gaps: the sentences
and chart that follow the yearly key figures, and the workbook's quarters sheet. Empty when the
reporting year has a yearly figure for every key figure, or no published quarter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.document import Block, FigureBlock, LetterTable, Paragraph
from via_pipeline.core.letter.key_figures import source_tables_from_frame, source_text
from via_pipeline.core.letter.quarter_chart import (
    quarter_caption,
    quarter_chart_file_name,
    render_quarter_chart,
)
from via_pipeline.core.letter.quarters import (
    QuarterlyStatement,
    chart_rows,
    quarterly_statements,
    quarters_table,
)
from via_pipeline.core.monitor.quarters import read_quarterly_gaps
from via_pipeline.core.warehouse import WarehouseStore, load_sql


@dataclass(frozen=True)
class QuarterlyPart:
    blocks: tuple[Block, ...] = ()
    workbook: tuple[LetterTable, ...] = ()
    chart: Path | None = None

    @property
    def figures(self) -> int:
        return 1 if self.chart is not None else 0


def _note(statement: QuarterlyStatement) -> str:
    years = [span for span in (statement.current, statement.earlier) if span is not None]
    provisional = [str(span.year) for span in years if span.provisional]
    if not provisional:
        return " Kwartaalcijfers."
    return f" Kwartaalcijfers; * {' en '.join(provisional)}: voorlopige cijfers."


def quarterly_part(
    store: WarehouseStore,
    config: KeyFigureConfig,
    reporting_year: int,
    folder: Path,
    figure_number: int,
) -> QuarterlyPart:
    """The sentences (each with its source note), the chart (numbered `figure_number`) and the
    sheet; nothing when no key figure needs its quarters."""
    quarterly_gaps = read_quarterly_gaps(store)
    statements = quarterly_statements(
        config, quarterly_gaps, store.read_table("monitor.gaps"), reporting_year
    )
    if not statements:
        return QuarterlyPart()
    tables = source_tables_from_frame(store.read(load_sql("select_letter_source_tables")))
    blocks: list[Block] = [
        Paragraph(
            statement.text_nl,
            source_text(statement.spec.source_table, tables.get(statement.spec.source_table), ())
            + _note(statement),
        )
        for statement in statements
    ]
    path = render_quarter_chart(
        chart_rows(quarterly_gaps, statements, reporting_year),
        statements,
        config,
        reporting_year,
        folder / quarter_chart_file_name(reporting_year),
    )
    blocks.append(FigureBlock(path, quarter_caption(statements, reporting_year, figure_number)))
    return QuarterlyPart(
        tuple(blocks), (quarters_table(quarterly_gaps, config, reporting_year),), path
    )
