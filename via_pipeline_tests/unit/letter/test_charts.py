"""Guards the gap charts: one line per group and CBS table, the 2013 series break marked and
never bridged (drawn whenever the chart's years span it, and the caption speaks of the dashed
line exactly when it is drawn), and real PNG files of a sensible size (also when empty)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.letter.annex import figure_caption
from via_pipeline.core.letter.charts import (
    SeriesBreak,
    gap_chart,
    render_gap_chart,
    render_gap_charts,
    series_breaks,
)
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline_tests.support.letter import gap_rows, gaps_frame

CONFIG = load_key_figure_config()
FIRST_YEARS = {table.table_id: table.first_year for table in load_catalogue().tables}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def two_series_gaps():
    return gaps_frame(
        gap_rows("82809NED", "non_western", {y: (10.0 + y % 3, 5.0) for y in range(2003, 2022)}),
        gap_rows("82809NED", "western", {y: (7.0, 5.0) for y in range(2003, 2022)}),
        gap_rows("82809NED", "non_western", {2008: (9.0, 6.0)}, reference_group="dutch_background"),
        gap_rows("85456NED", "outside_europe_origin", {y: (9.0, 4.5) for y in range(2013, 2024)}),
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {y: (60.0, 68.0) for y in range(2013, 2024)},
            indicator="net_participation_rate",
        ),
    )


def test_one_line_per_group_and_table_with_the_break_marked() -> None:
    chart = gap_chart(two_series_gaps(), "unemployment_rate", CONFIG)
    assert [(s.source_table, s.population_group) for s in chart.series] == [
        ("82809NED", "non_western"),
        ("82809NED", "western"),
        ("85456NED", "outside_europe_origin"),
    ]
    assert [(b.year, b.source_table) for b in chart.breaks] == [(2013, "85456NED")]
    old = chart.series[0]
    assert old.years == tuple(range(2003, 2022)) and old.gaps_pp[0] == 10.0 + 2003 % 3 - 5.0
    # No line bridges the break: each line's years come from one table only.
    assert chart.series[2].years == tuple(range(2013, 2024))
    assert old.label == "Niet-westerse migratieachtergrond (82809NED)"
    # Only gaps to the chart's reference group (total) are drawn.
    assert all(2008 in s.years for s in chart.series[:2])
    assert "het gemiddelde van de bevolking" in chart.title


def test_a_year_without_a_figure_interrupts_the_line() -> None:
    gaps = gaps_frame(
        gap_rows(
            "82809NED",
            "non_western",
            {2012: (14.1, 5.8), 2013: (16.5, 7.3), 2016: (13.2, 6.0), 2019: (7.3, 3.4)},
        )
    )
    [series] = gap_chart(gaps, "unemployment_rate", CONFIG).series
    assert [years for years, _ in series.segments()] == [(2012, 2013), (2016,), (2019,)]
    assert series.segments()[0][1] == pytest.approx((8.3, 9.2))


def test_one_table_has_no_break() -> None:
    chart = gap_chart(two_series_gaps(), "net_participation_rate", CONFIG)
    assert [s.population_group for s in chart.series] == ["outside_europe_origin"]
    assert chart.breaks == ()


def test_charts_are_real_pngs_of_sensible_size(tmp_path: Path) -> None:
    charts = render_gap_charts(two_series_gaps(), CONFIG, tmp_path, 2023)
    assert sorted(charts) == ["net_participation_rate", "unemployment_rate"]
    paths = {indicator: chart.path for indicator, chart in charts.items()}
    assert paths["unemployment_rate"].name == "voortgang_via_2023_unemployment_rate_verschil.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())
    for path in paths.values():
        width, height = png_size(path)
        assert 600 <= width <= 2000 and 350 <= height <= 1400
        assert path.stat().st_size > 10_000


def test_chart_without_data_is_still_an_image(tmp_path: Path) -> None:
    chart = gap_chart(gaps_frame(), "unemployment_rate", CONFIG, FIRST_YEARS)
    assert chart.series == () and chart.breaks == ()
    assert render_gap_chart(chart, tmp_path / "leeg.png") == ()
    width, height = png_size(tmp_path / "leeg.png")
    assert width > 500 and height > 300


def test_the_catalogue_places_the_2013_break() -> None:
    assert series_breaks(FIRST_YEARS) == (SeriesBreak(2013, "85456NED"),)
    assert series_breaks({"A": 2003}) == ()


def old_series_only(years: range):
    """The snapshot's situation: only 82809NED has gaps to the population average."""
    return gaps_frame(
        gap_rows("82809NED", "non_western", {y: (10.0, 5.0) for y in years}),
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2019: (9.0, 4.5)},
            "unemployment_rate",
            "netherlands_origin",
        ),
    )


def test_break_is_drawn_when_the_years_span_it_and_the_caption_says_so(tmp_path: Path) -> None:
    chart = gap_chart(old_series_only(range(2003, 2022)), "unemployment_rate", CONFIG, FIRST_YEARS)
    assert [s.source_table for s in chart.series] == ["82809NED"]
    assert chart.breaks == (SeriesBreak(2013, "85456NED"),)
    [rendered] = render_gap_charts(
        old_series_only(range(2003, 2022)),
        replace_indicators(["unemployment_rate"]),
        tmp_path,
        2023,
        FIRST_YEARS,
    ).values()
    assert rendered.breaks_drawn == (SeriesBreak(2013, "85456NED"),)
    caption = figure_caption("unemployment_rate", CONFIG, rendered.breaks_drawn)
    assert "De stippellijn bij 2013 markeert de trendbreuk" in caption
    assert "(tabel 85456NED)" in caption


@pytest.mark.parametrize("years", [range(2014, 2019), range(2003, 2013), range(2013, 2016)])
def test_no_break_outside_the_years_and_no_dashed_line_in_the_caption(
    years: range, tmp_path: Path
) -> None:
    """A chart of 2014-2018, of years before 2013, or starting in 2013: nothing to mark."""
    [rendered] = render_gap_charts(
        old_series_only(years),
        replace_indicators(["unemployment_rate"]),
        tmp_path,
        2023,
        FIRST_YEARS,
    ).values()
    assert rendered.breaks_drawn == ()
    caption = figure_caption("unemployment_rate", CONFIG, rendered.breaks_drawn)
    assert "stippellijn" not in caption and "trendbreuk" not in caption
    assert caption.startswith(
        "Figuur. Werkloosheidspercentage, verschil per groep met het gemiddelde"
    )
    assert figure_caption("unemployment_rate", CONFIG, (), 2).startswith(
        "Figuur 2. Werkloosheidspercentage"
    )


def replace_indicators(indicators: list[str]):
    from dataclasses import replace

    return replace(CONFIG, charts=replace(CONFIG.charts, indicators=tuple(indicators)))
