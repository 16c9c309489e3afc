"""Gap charts for the annex: one line per group and CBS table, the series break shown, not bridged.

A gap is only comparable within one CBS table (CBS changed its survey method and classification
in 2013), so each table's years form their own line. Where a newer table starts (its first year
in the CBS catalogue, config/cbs_tables.yaml), a dashed vertical line marks the break whenever the
chart's years span it, also when only one table has lines on the chart; the caption mentions the
line only when it is drawn. matplotlib is imported inside the render functions only.

The gap charts show whole origin groups. Each breakdown (generation, sex, start qualification)
gets its own chart of small multiples: a panel per indicator, a line per group of the breakdown
(solid) and per reference group it is compared with (dashed), in percent, from 85456NED only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from via_pipeline.core.dutch import format_decimal
from via_pipeline.core.files.atomic import replacing
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


NO_BREAKDOWN = "none"


def whole_groups(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap rows of whole origin groups (breakdown none): breakdown cells have charts and
    sheets of their own."""
    if "breakdown" not in gaps.columns:
        return gaps
    return gaps[gaps["breakdown"].fillna(NO_BREAKDOWN) == NO_BREAKDOWN]


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
    rows = whole_groups(gaps)
    rows = rows[
        (rows["indicator"] == indicator)
        & (rows["reference_group"] == reference)
        & (rows["population_group"] != reference)
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


# -- breakdown charts: small multiples --------------------------------------------------------


@dataclass(frozen=True)
class BreakdownLine:
    """A group's figures (percent) in one panel; `reference` lines are drawn dashed."""

    population_group: str
    label: str
    reference: bool
    years: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class BreakdownPanel:
    indicator: str
    title: str
    lines: tuple[BreakdownLine, ...]


@dataclass(frozen=True)
class BreakdownChart:
    breakdown: str
    title: str
    panels: tuple[BreakdownPanel, ...]


def breakdown_chart(gaps: pd.DataFrame, breakdown: str, config: KeyFigureConfig) -> BreakdownChart:
    """One panel per chart indicator: each group of the breakdown and each of its reference
    groups as a line of its own figures, from the breakdown's gap rows (one CBS table)."""
    name = config.charts.breakdowns.get(breakdown, breakdown)
    title = f"Uitsplitsing naar {name} (procenten)"
    rows = gaps[gaps["breakdown"] == breakdown] if "breakdown" in gaps.columns else gaps.iloc[0:0]
    panels = []
    for indicator in config.charts.indicators:
        of_indicator = rows[rows["indicator"] == indicator]
        figures: dict[tuple[str, bool], dict[int, float]] = {}
        for row in of_indicator.to_dict("records"):
            year = int(row["year"])
            figures.setdefault((str(row["population_group"]), False), {})[year] = float(
                row["value"]
            )
            figures.setdefault((str(row["reference_group"]), True), {})[year] = float(
                row["reference_value"]
            )
        groups = {group for group, is_reference in figures if not is_reference}
        lines = tuple(
            BreakdownLine(
                population_group=group,
                label=config.group_label(group),
                reference=is_reference,
                years=tuple(sorted(values)),
                values=tuple(values[year] for year in sorted(values)),
            )
            for (group, is_reference), values in sorted(
                figures.items(), key=lambda item: (item[0][1], item[0][0])
            )
            # A group that is also some group's reference is drawn once, as a group.
            if not (is_reference and group in groups)
        )
        panels.append(BreakdownPanel(indicator, f"{config.indicator_label(indicator)} (%)", lines))
    return BreakdownChart(breakdown, title, tuple(panels))


def render_breakdown_chart(chart: BreakdownChart, path: Path) -> None:
    """Draw the panels side by side (shared legend below); an empty panel says so."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    path.parent.mkdir(parents=True, exist_ok=True)
    width = max(1, len(chart.panels))
    figure, axes_list = plt.subplots(
        1, width, figsize=(4.5 * width, 4.0), dpi=CHART_DPI, squeeze=False
    )
    try:
        colours = plt.get_cmap("tab10")
        groups = sorted({line.population_group for p in chart.panels for line in p.lines})
        for axes, panel in zip(axes_list[0], chart.panels, strict=False):
            for line in panel.lines:
                runs = ChartSeries(line.population_group, "", "", line.years, line.values)
                for number, (years, values) in enumerate(runs.segments()):
                    axes.plot(
                        years,
                        values,
                        marker="o",
                        markersize=3,
                        linewidth=1.2 if line.reference else 1.8,
                        linestyle="--" if line.reference else "-",
                        color=colours(groups.index(line.population_group) % 10),
                        label=line.label if number == 0 else None,
                    )
            if not panel.lines:
                axes.text(
                    0.5,
                    0.5,
                    "Geen cijfers beschikbaar",
                    ha="center",
                    va="center",
                    transform=axes.transAxes,
                )
            axes.set_title(panel.title, fontsize=10)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.yaxis.set_major_formatter(
                FuncFormatter(lambda value, _pos: format_decimal(float(value)))
            )
            axes.grid(axis="y", alpha=0.3)
        figure.suptitle(chart.title, fontsize=11)
        handles: dict[str, Any] = {}
        for axes in axes_list[0]:
            for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
                handles.setdefault(label, handle)
        if handles:
            figure.legend(
                list(handles.values()),
                list(handles),
                fontsize=8,
                loc="lower center",
                ncol=2,
                frameon=False,
                bbox_to_anchor=(0.5, -0.12),
            )
        figure.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(figure)


def breakdown_chart_file_name(reporting_year: int, breakdown: str) -> str:
    return f"voortgang_via_{reporting_year}_uitsplitsing_{breakdown}.png"


def breakdown_caption(chart: BreakdownChart, config: KeyFigureConfig, number: int) -> str:
    name = config.charts.breakdowns.get(chart.breakdown, chart.breakdown)
    return (
        f"Figuur {number}. Uitsplitsing naar {name}: per indicator de cijfers (procenten) van "
        "elke groep (doorgetrokken) en van de groepen waarmee die wordt vergeleken "
        "(gestippeld), uit één CBS-tabel. Jaren zonder cijfer worden niet ingevuld."
    )


def render_breakdown_charts(
    gaps: pd.DataFrame, config: KeyFigureConfig, output_dir: Path, reporting_year: int
) -> dict[str, tuple[BreakdownChart, Path]]:
    """One PNG per configured breakdown (each file replaced whole), by breakdown code."""
    rendered: dict[str, tuple[BreakdownChart, Path]] = {}
    for breakdown in config.charts.breakdowns:
        chart = breakdown_chart(gaps, breakdown, config)
        target = output_dir / breakdown_chart_file_name(reporting_year, breakdown)
        with replacing(target) as temporary:
            render_breakdown_chart(chart, temporary)
        rendered[breakdown] = (chart, target)
    return rendered
