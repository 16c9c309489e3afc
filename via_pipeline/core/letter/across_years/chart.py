"""The status of the actions per year and theme, as stacked bars (one panel per theme).

A year in which no partner reported is marked "geen rapportages" instead of an empty place
that reads as zero actions. matplotlib is imported inside `render_status_chart` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.files.atomic import replacing
from via_pipeline.core.letter.charts import PNG_METADATA
from via_pipeline.core.letter.config import Theme
from via_pipeline.core.partners.fileformat import STATUSES

STATUS_ORDER = tuple(STATUSES)  # gepland, lopend, afgerond, gestopt: as partners are told
STATUS_COLOURS = {
    "gepland": "#b3cde3",
    "lopend": "#6497b1",
    "afgerond": "#005b96",
    "gestopt": "#d9a441",
}
NO_REPORTS = "geen rapportages"


@dataclass(frozen=True)
class StatusBars:
    """The counts behind the chart: per theme, per year, per status; years without reports."""

    years: tuple[int, ...]
    themes: tuple[Theme, ...]
    counts: dict[tuple[str, int, str], int]
    years_without_reports: tuple[int, ...]

    def count(self, theme: str, year: int, status: str) -> int:
        return self.counts.get((theme, year, status), 0)


def status_bars(actions: pd.DataFrame, themes: Sequence[Theme], years: Sequence[int]) -> StatusBars:
    """Counts of actions by theme, year and status from partners.actions rows."""
    grouped = actions.groupby(["theme", "reporting_year", "status"]).size()
    counts = {(str(t), int(y), str(s)): int(n) for (t, y, s), n in grouped.items()}
    reported = set(int(year) for year in actions["reporting_year"])
    return StatusBars(
        tuple(years),
        tuple(themes),
        counts,
        tuple(year for year in years if year not in reported),
    )


def status_chart_file_name(reporting_year: int, file_prefix: str = "voortgang_via_") -> str:
    return f"{file_prefix}{reporting_year}_acties_per_jaar.png"


def status_chart_caption(bars: StatusBars, number: int | None = None) -> str:
    label = "Figuur." if number is None else f"Figuur {number}."
    caption = f"{label} Acties per thema en jaar naar status, zoals de partners ze rapporteerden."
    if bars.years_without_reports:
        years = ", ".join(str(year) for year in bars.years_without_reports)
        caption += f" Over {years} rapporteerde geen partner ({NO_REPORTS})."
    return caption


def render_status_chart(bars: StatusBars, path: Path) -> Path:
    """Draw one panel per theme, a stacked bar per year; written whole or not at all."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    panels = max(1, len(bars.themes))
    figure, axes_list = plt.subplots(
        1, panels, figsize=(3.2 * panels, 3.8), dpi=120, sharey=True, squeeze=False
    )
    try:
        top = max(
            [
                sum(bars.count(t.code, y, s) for s in STATUS_ORDER)
                for t in bars.themes
                for y in bars.years
            ]
            or [0]
        )
        for axes, theme in zip(axes_list[0], bars.themes, strict=False):
            bottoms = [0] * len(bars.years)
            positions = list(range(len(bars.years)))
            for status in STATUS_ORDER:
                heights = [bars.count(theme.code, year, status) for year in bars.years]
                axes.bar(
                    positions,
                    heights,
                    bottom=bottoms,
                    color=STATUS_COLOURS[status],
                    label=status,
                    width=0.7,
                )
                bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            for position, year in zip(positions, bars.years, strict=True):
                if year in bars.years_without_reports:
                    axes.text(
                        position,
                        max(top, 1) * 0.02,
                        NO_REPORTS,
                        rotation=90,
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        color="grey",
                    )
            axes.set_xticks(positions, [str(year) for year in bars.years])
            axes.set_title(theme.title, fontsize=8, wrap=True)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(axis="y", alpha=0.3)
        axes_list[0][0].set_ylabel("acties")
        axes_list[0][0].set_ylim(0, max(top, 1) * 1.1)
        handles, labels = axes_list[0][0].get_legend_handles_labels()
        figure.legend(
            handles, labels, loc="lower center", ncol=len(STATUS_ORDER), fontsize=8, frameon=False
        )
        figure.tight_layout(rect=(0, 0.08, 1, 1))
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temporary:
            figure.savefig(temporary, format="png", metadata=PNG_METADATA)
    finally:
        plt.close(figure)
    return path
