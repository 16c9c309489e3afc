"""The chart of the quarterly gap (issue 24): the key figures' series with quarters in the
reporting year, over its last three years; a provisional quarter is an open marker.
matplotlib is imported inside the render function only; the PNG carries no time or software
text (charts.PNG_METADATA), so the same figures give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from via_pipeline.core.dutch import format_decimal
from via_pipeline.core.letter.charts import CHART_DPI, CHART_SIZE_INCHES, PNG_METADATA
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.quarters import CHART_YEARS, QuarterlyStatement


def quarter_chart_file_name(reporting_year: int) -> str:
    return f"voortgang_via_{reporting_year}_kwartalen_verschil.png"


def _label(statement: QuarterlyStatement, config: KeyFigureConfig) -> str:
    spec = statement.spec
    return (
        f"{config.indicator_label(spec.indicator)}: {config.group_label(spec.population_group)}"
        f" t.o.v. {config.group_label(spec.reference_group)}"
    )


def quarter_caption(
    statements: Sequence[QuarterlyStatement], reporting_year: int, number: int
) -> str:
    first = reporting_year - CHART_YEARS + 1
    tables = ", ".join(sorted({s.spec.source_table for s in statements}))
    return (
        f"Figuur {number}. Verschil per kwartaal in procentpunten, {first} tot en met "
        f"{reporting_year} (CBS-tabel {tables}). Open rondjes zijn voorlopige cijfers "
        "(CBS: voorlopig of nader voorlopig). Kwartalen zonder cijfer worden niet ingevuld."
    )


def render_quarter_chart(
    rows: pd.DataFrame,
    statements: Sequence[QuarterlyStatement],
    config: KeyFigureConfig,
    reporting_year: int,
    path: Path,
) -> Path:
    """One line per statement's series over the quarters of the last three years."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    first = reporting_year - CHART_YEARS + 1
    periods = [f"{year}KW0{q}" for year in range(first, reporting_year + 1) for q in range(1, 5)]
    position = {period: index for index, period in enumerate(periods)}
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI)
    try:
        colours = plt.get_cmap("tab10")
        for number, statement in enumerate(statements):
            spec = statement.spec
            series = rows[
                (rows["source_table"] == spec.source_table)
                & (rows["indicator"] == spec.indicator)
                & (rows["population_group"] == spec.population_group)
                & (rows["reference_group"] == spec.reference_group)
                & rows["period"].isin(periods)
            ].sort_values("period")
            x = [position[str(p)] for p in series["period"]]
            y = [float(v) for v in series["gap_pp"]]
            colour = colours(number % 10)
            axes.plot(x, y, linewidth=1.8, color=colour, label=_label(statement, config))
            provisional = series["provisional"].astype(bool).tolist()
            final_points = [(a, b) for a, b, p in zip(x, y, provisional, strict=True) if not p]
            open_points = [(a, b) for a, b, p in zip(x, y, provisional, strict=True) if p]
            if final_points:
                axes.plot(*zip(*final_points, strict=True), "o", markersize=4, color=colour)
            if open_points:
                axes.plot(
                    *zip(*open_points, strict=True),
                    "o",
                    markersize=5,
                    markerfacecolor="white",
                    color=colour,
                )
        axes.axhline(0, color="black", linewidth=0.6)
        axes.set_title("Verschil per kwartaal", fontsize=10)
        axes.set_ylabel("procentpunten")
        axes.set_xticks(range(len(periods)))
        axes.set_xticklabels(
            [f"{p[:4]}\nK{p[-1]}" if p.endswith("1") else f"K{p[-1]}" for p in periods],
            fontsize=7,
        )
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _pos: format_decimal(float(value)))
        )
        axes.grid(axis="y", alpha=0.3)
        axes.legend(
            fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=1, frameon=False
        )
        figure.savefig(path, format="png", bbox_inches="tight", metadata=PNG_METADATA)
    finally:
        plt.close(figure)
    return path
