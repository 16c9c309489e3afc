"""Guards the gap charts: one line per group and CBS table, the 2013 series break marked and
never bridged, and real PNG files of a sensible size (also when there is nothing to draw)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from via_pipeline.core.letter.charts import gap_chart, render_gap_chart, render_gap_charts
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline_tests.support.letter import gap_rows, gaps_frame

CONFIG = load_key_figure_config()
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
    paths = render_gap_charts(two_series_gaps(), CONFIG, tmp_path, 2023)
    assert sorted(paths) == ["net_participation_rate", "unemployment_rate"]
    assert paths["unemployment_rate"].name == "voortgang_via_2023_unemployment_rate_verschil.png"
    for path in paths.values():
        width, height = png_size(path)
        assert 600 <= width <= 2000 and 350 <= height <= 1400
        assert path.stat().st_size > 10_000


def test_chart_without_data_is_still_an_image(tmp_path: Path) -> None:
    chart = gap_chart(gaps_frame(), "unemployment_rate", CONFIG)
    assert chart.series == () and chart.breaks == ()
    width, height = png_size(render_gap_chart(chart, tmp_path / "leeg.png"))
    assert width > 500 and height > 300
