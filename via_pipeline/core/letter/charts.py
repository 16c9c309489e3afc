"""Gap charts for the annex: one line per group and CBS table, the series break shown, not bridged.

A gap is only comparable within one CBS table (CBS changed its survey method and classification
in 2013), so each table's years form their own line. Where a newer table starts (its first year
in the CBS catalogue, config/cbs_tables.yaml), a dashed vertical line marks the break whenever the
chart's years span it, also when only one table has lines on the chart; the caption mentions the
line only when it is drawn. matplotlib is imported inside `render_gap_chart` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.atomic import replacing
from via_pipeline.core.dutch import format_decimal
from via_pipeline.core.letter.config import KeyFigureConfig

CHART_SIZE_INCHES = (8.0, 4.5)
CHART_DPI = 120


@dataclass(frozen=True)
class ChartSeries:
    """The gaps of one group in one CBS table, in year order."""

    population_group: str
    source_table: str
    label: str
    years: tuple[int, ...]
    gaps_pp: tuple[float, ...]

    def segments(self) -> list[tuple[tuple[int, ...], tuple[float, ...]]]:
        """Runs of consecutive years: a year CBS did not publish interrupts the line too."""
        runs: list[tuple[list[int], list[float]]] = []
        for year, gap in zip(self.years, self.gaps_pp, strict=True):
            if runs and runs[-1][0][-1] == year - 1:
                runs[-1][0].append(year)
                runs[-1][1].append(gap)
            else:
                runs.append(([year], [gap]))
        return [(tuple(years), tuple(gaps)) for years, gaps in runs]


@dataclass(frozen=True)
class SeriesBreak:
    """The first year of a newer CBS table: the chart marks it with a vertical line."""

    year: int
    source_table: str


@dataclass(frozen=True)
class GapChart:
    indicator: str
    title: str
    series: tuple[ChartSeries, ...]
    breaks: tuple[SeriesBreak, ...]  # the breaks within the chart's years: each is drawn


@dataclass(frozen=True)
class RenderedChart:
    """A chart's PNG and the series breaks actually drawn on it (for a truthful caption)."""

    indicator: str
    path: Path
    breaks_drawn: tuple[SeriesBreak, ...]


def series_breaks(table_first_years: Mapping[str, int]) -> tuple[SeriesBreak, ...]:
    """The first year of every table but the oldest: where a newer CBS series begins."""
    ordered = sorted(table_first_years.items(), key=lambda item: (item[1], item[0]))
    return tuple(SeriesBreak(int(year), str(table)) for table, year in ordered[1:])


def gap_chart(
    gaps: pd.DataFrame,
    indicator: str,
    config: KeyFigureConfig,
    table_first_years: Mapping[str, int] | None = None,
) -> GapChart:
    """The lines of one indicator's chart: gaps to the configured reference group, per table.

    `table_first_years` (table id -> first year, from the CBS catalogue) places the series
    breaks; a table missing from it starts at its first year in `gaps`.
    """
    reference = config.charts.reference_group
    title = (
        f"{config.indicator_label(indicator)}: verschil met "
        f"{config.group_sentence(reference)} (procentpunten)"
    )
    if gaps.empty:
        return GapChart(indicator, title, (), ())
    rows = gaps[
        (gaps["indicator"] == indicator)
        & (gaps["reference_group"] == reference)
        & (gaps["population_group"] != reference)
    ]
    first_years = rows.groupby("source_table")["year"].min().sort_values()
    starts = {
        str(table): int(year) for table, year in gaps.groupby("source_table")["year"].min().items()
    }
    starts.update(table_first_years or {})
    series: list[ChartSeries] = []
    for table in first_years.index:
        table_rows = rows[rows["source_table"] == table]
        for group, group_rows in sorted(
            table_rows.groupby("population_group"), key=lambda g: str(g[0])
        ):
            ordered = group_rows.sort_values("year")
            series.append(
                ChartSeries(
                    population_group=str(group),
                    source_table=str(table),
                    label=f"{config.group_label(str(group))} ({table})",
                    years=tuple(int(year) for year in ordered["year"]),
                    gaps_pp=tuple(float(gap) for gap in ordered["gap_pp"]),
                )
            )
    years = [year for line in series for year in line.years]
    breaks = tuple(
        found for found in series_breaks(starts) if years and min(years) < found.year <= max(years)
    )
    return GapChart(indicator, title, tuple(series), breaks)


def render_gap_chart(chart: GapChart, path: Path) -> tuple[SeriesBreak, ...]:
    """Draw the chart as a PNG; a chart without data says so instead of staying blank.

    Returns the series breaks drawn as dashed lines, read back from the plot.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI)
    drawn: list[SeriesBreak] = []
    try:
        colours = plt.get_cmap("tab10")
        groups = sorted({series.population_group for series in chart.series})
        for series in chart.series:
            # One plot call per run of consecutive years of one table: a line never bridges the
            # series break, nor a year without a figure.
            for number, (years, gaps) in enumerate(series.segments()):
                axes.plot(
                    years,
                    gaps,
                    marker="o",
                    markersize=3,
                    linewidth=1.8,
                    color=colours(groups.index(series.population_group) % 10),
                    label=series.label if number == 0 else None,
                )
        for series_break in chart.breaks:
            # Named in the legend rather than written on the plot, where it would cover lines.
            line = axes.axvline(
                series_break.year,
                color="grey",
                linestyle="--",
                linewidth=1,
                label=(
                    f"Trendbreuk {series_break.year}: nieuwe CBS-reeks "
                    f"({series_break.source_table})"
                ),
            )
            if line.get_linestyle() == "--" and line in axes.lines:
                drawn.append(series_break)
        if not chart.series:
            axes.text(
                0.5,
                0.5,
                "Geen cijfers beschikbaar",
                ha="center",
                va="center",
                transform=axes.transAxes,
            )
        axes.axhline(0, color="black", linewidth=0.6)
        axes.set_title(chart.title, fontsize=10)
        axes.set_ylabel("procentpunten")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _pos: format_decimal(float(value)))
        )
        axes.grid(axis="y", alpha=0.3)
        if chart.series:
            # Below the plot, so no line is hidden behind it.
            axes.legend(
                fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False
            )
        figure.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(figure)
    return tuple(drawn)


def chart_file_name(reporting_year: int, indicator: str) -> str:
    return f"voortgang_via_{reporting_year}_{indicator}_verschil.png"


def render_gap_charts(
    gaps: pd.DataFrame,
    config: KeyFigureConfig,
    output_dir: Path,
    reporting_year: int,
    table_first_years: Mapping[str, int] | None = None,
) -> dict[str, RenderedChart]:
    """One PNG per configured chart indicator, by indicator code (each file replaced whole)."""
    rendered: dict[str, RenderedChart] = {}
    for indicator in config.charts.indicators:
        chart = gap_chart(gaps, indicator, config, table_first_years)
        target = output_dir / chart_file_name(reporting_year, indicator)
        with replacing(target) as temporary:
            drawn = render_gap_chart(chart, temporary)
        rendered[indicator] = RenderedChart(indicator, target, drawn)
    return rendered
