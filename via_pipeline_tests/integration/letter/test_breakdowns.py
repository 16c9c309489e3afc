"""Guards the letter's breakdown outputs (issue 16) on DuckDB and PostgreSQL: from a table in
the real 85456NED shape through monitor.gaps, the second generation's key-figure sentence is in
the letter's style, and its figures are cells of the workbook's breakdown sheet; the breakdown
chart has a panel per indicator and a line per generation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.ingest import build_indicators, fetch_table
from via_pipeline.core.dutch import format_pp
from via_pipeline.core.letter.charts import breakdown_chart, render_breakdown_chart
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.letter.key_figures import (
    SourceTable,
    build_key_figures,
    prose_minus_signs,
)
from via_pipeline.core.letter.tables import breakdown_table
from via_pipeline.core.letter.workbook import write_workbook
from via_pipeline.core.monitor import load_monitor_config, write_gaps
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.cbs_tables import (
    MemoryClient,
    expected_indicators,
    recording,
    table_85456,
)

SECOND = "outside_europe_second_generation"
KEY = "werkloosheid_tweede_generatie_buiten_europa_vs_nederlandse_herkomst"


def _gaps(store: WarehouseStore):  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    table = catalogue.table("85456NED")
    fetched = fetch_table(MemoryClient(recording(table_85456())), table)
    # cbs.measures gives the precision gaps are rounded to (one decimal, as CBS publishes).
    store.replace("cbs.measures", fetched.measure_rows())
    store.replace("monitor.indicators", build_indicators(catalogue, fetched.observations))
    write_gaps(store, load_monitor_config())
    return store.read_table("monitor.gaps")


def test_second_generation_sentence_traces_to_the_workbook(
    store: WarehouseStore, tmp_path: Path
) -> None:
    gaps = _gaps(store)
    config = load_key_figure_config()
    source = SourceTable("85456NED", "Arbeidsdeelname; herkomst", date(2026, 2, 13), "live")
    figures = {
        f.spec.figure_key: f for f in build_key_figures(config, gaps, {"85456NED": source}, 2025)
    }
    figure = figures[KEY]
    expected = expected_indicators(table_85456())
    gap = {
        year: round(
            expected[("85456NED", year, SECOND, "unemployment_rate")]
            - expected[("85456NED", year, "netherlands_origin", "unemployment_rate")],
            1,
        )
        for year in (2013, 2025)
    }
    subject = (
        "het verschil in werkloosheid tussen burgers van de tweede generatie met een "
        "buiten-Europese migratieachtergrond en burgers met een Nederlandse herkomst"
    )
    assert figure.text_nl.startswith(f"In 2013 was {subject} {format_pp(gap[2013])}")
    assert f"; anno 2025* is dat {format_pp(gap[2025])}" in figure.text_nl
    assert prose_minus_signs([figure.text_nl]) == []
    assert figure.source == (
        "Bron: CBS StatLine, tabel 85456NED ‘Arbeidsdeelname; herkomst’, gewijzigd op "
        "13 februari 2026. * 2025: voorlopig cijfer."
    )
    assert [(year, point.gap_pp) for year, point in figure.points if point] == [
        (2013, gap[2013]),
        (2025, gap[2025]),
    ]

    path = write_workbook([breakdown_table(gaps, "generation", config)], tmp_path / "t.xlsx")
    sheet = load_workbook(path)["Uitsplitsing generatie"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    for year in (2013, 2025):
        [row] = [
            r
            for r in rows
            if r["Groepcode"] == SECOND
            and r["Vergelijkingsgroepcode"] == "netherlands_origin"
            and r["Jaar"] == year
            and r["Indicator"] == "Werkloosheidspercentage"
        ]
        assert row["Verschil (procentpunten)"] == gap[year]
        assert row["Groep"] == "Herkomst buiten Europa, tweede generatie"
    # Only the generation breakdown's comparisons are on its sheet.
    assert {r["Vergelijkingsgroepcode"] for r in rows} == {"total", "netherlands_origin"}


def test_generation_chart_has_a_panel_per_indicator_and_a_line_per_generation(
    store: WarehouseStore, tmp_path: Path
) -> None:
    gaps = _gaps(store)
    chart = breakdown_chart(gaps, "generation", load_key_figure_config())
    assert [p.indicator for p in chart.panels] == ["unemployment_rate", "net_participation_rate"]
    lines = {(line.population_group, line.reference) for line in chart.panels[0].lines}
    assert lines == {
        ("outside_europe_first_generation", False),
        (SECOND, False),
        ("netherlands_origin", True),
        ("total", True),
    }
    second = next(line for line in chart.panels[0].lines if line.population_group == SECOND)
    expected = expected_indicators(table_85456())
    assert second.years == tuple(range(2013, 2026))
    assert second.values[0] == expected[("85456NED", 2013, SECOND, "unemployment_rate")]
    render_breakdown_chart(chart, tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
