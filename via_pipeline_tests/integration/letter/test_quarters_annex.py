"""Issue 24's done-when, on DuckDB and PostgreSQL: with a replay of 85456NED holding 2023 Q1-Q3
(TableInfos.Period "2008-2023 3e kwartaal", quarter titles with * and **), `run --year 2023`
keeps every quarterly cell, adds no 2023 yearly figure, and writes the quarterly sentence with
both values, marked provisional, in the annex (Markdown and Word), a quarterly chart and the
quarters sheet of the workbook. The expected figures come from the replay's cells alone."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from via_pipeline.cli import main
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.integration.cbs.test_ingest import point_at
from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import (
    cell_titles,
    cell_value,
    expected_quarterly_indicators,
    recording,
    table_82809,
    table_85456_running_year,
)

pytestmark = [pytest.mark.slow]
TABLE = table_85456_running_year()


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(table_82809(), TABLE)) as server:
        point_at(monkeypatch, server.catalog_url, "live")
        yield server


def mean_gap(year: int, group: str, reference: str) -> str:
    """The gap over Q1-Q3 as the letter must quote it: mean minus mean, one decimal, no sign."""

    def mean(code: str) -> float:
        titles = cell_titles(TABLE, code)
        values = [
            cell_value("85456NED", titles, f"{year}KW0{q}", "Werkloosheidspercentage")
            for q in (1, 2, 3)
        ]
        return sum(values) / 3

    gap = Decimal(repr(mean(group) - mean(reference))).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{abs(gap):.1f}".replace(".", ",")


def test_run_2023_quotes_the_first_three_quarters_against_2022(
    store: WarehouseStore,
    replay: CbsReplayServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    offline_environment: Path,
) -> None:
    monkeypatch.setenv("VIA_WAREHOUSE_URL", store.url)
    assert main(["run", "--year", "2023"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "materialised monitor/quarterly_gaps" in out

    # Every quarterly cell, with its status; no yearly figure of 2023.
    stored = store.read_table("monitor.quarterly_indicators")
    got = {
        (r.source_table, r.period, r.population_group, r.indicator): (r.value, r.status)
        for r in stored.itertuples()
    }
    assert got == expected_quarterly_indicators(TABLE)
    assert store.count("monitor.indicators", {"year": 2023}) == 0
    assert store.count("letter.key_figures", {"reporting_year": 2023, "year": 2023}) == 0

    folder = offline_environment / "output" / "2023"
    now = mean_gap(2023, "outside_europe_origin", "total")
    before = mean_gap(2022, "outside_europe_origin", "total")
    sentence = (
        "In de eerste drie kwartalen van 2023* was het verschil in werkloosheid tussen burgers "
        "met een buiten-Europese migratieachtergrond en het gemiddelde van de bevolking "
        f"{now} procentpunten"
    )
    tail = f"tegen {before} in dezelfde kwartalen van 2022*"
    markdown = (folder / "voortgang_via_2023_bijlage.md").read_text(encoding="utf-8")
    prose = markdown.replace("\\*", "*")
    quarterly = [line for line in prose.splitlines() if "kwartalen van 2023" in line]
    # One sentence per 85456NED series of the key figures, after the yearly ones, provisional.
    assert quarterly[0].startswith(sentence) and tail in quarterly[0], "\n".join(quarterly)
    assert all(line.split("[^")[0].endswith(" (voorlopige cijfers).") for line in quarterly), (
        quarterly
    )
    assert prose.index("anno 2022* is dat") < prose.index(sentence)
    assert "Kwartaalcijfers; * 2023 en 2022: voorlopige cijfers." in prose
    # The yearly sentences stay: the newest yearly figure is 2022's.
    assert "anno 2022* is dat" in prose
    assert "Verschil per kwartaal in procentpunten, 2021 tot en met 2023" in prose
    assert (folder / "voortgang_via_2023_kwartalen_verschil.png").stat().st_size > 5_000

    document = Document(str(folder / "voortgang_via_2023_bijlage.docx"))
    word = [p.text for p in document.paragraphs if p.text.startswith(sentence)]
    assert len(word) == 1 and tail in word[0] and "(voorlopige cijfers)." in word[0]

    sheet = load_workbook(folder / "voortgang_via_2023_tabellen.xlsx")["Kwartalen"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2)]
    q3 = [r for r in rows if r[1] == "2023 3e kwartaal" and r[3] == "Herkomst buiten Europa"]
    assert q3 and {r[8] for r in q3} == {"Voorlopig"}
    assert {r[8] for r in rows if str(r[1]).startswith("2022")} == {"Nader voorlopig"}

    # A rerun with nothing changed runs nothing, the quarterly tables included.
    assert main(["run", "--year", "2023"]) == 0
    again = capsys.readouterr().out
    assert "nothing changed for reporting year 2023: no run" in again, again
