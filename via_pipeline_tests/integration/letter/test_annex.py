"""Guards the letter assets end to end on DuckDB and PostgreSQL: materialised through Dagster for
a reporting year, the Word annex, workbook, Markdown and charts are opened and checked against the
warehouse (headings, sentences, footnotes, table cells), the run metadata carries the key figures
and the file links, and a year without any partner submission still gives a complete annex."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import docx
import openpyxl
import pytest

from via_pipeline.core.dutch import format_date, format_decimal, format_integer
from via_pipeline.core.files.markdown import markdown_cell
from via_pipeline.core.letter.config import load_key_figure_config, load_themes
from via_pipeline.core.letter.document import name_sort_key
from via_pipeline.core.letter.word import read_footnotes
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.letter.across_years import letter_progress_across_years
from via_pipeline.defs.letter.assets import (
    ANNEX_KEY,
    KEY_FIGURES_KEY,
    letter_annex,
    letter_key_figures,
    letter_partner_reporting,
    letter_theme_progress,
)
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.letter import (
    action,
    gap_rows,
    submission,
    write_actions,
    write_cbs_table,
    write_gaps,
    write_registry,
    write_submissions,
)

LETTER_ASSETS = [
    letter_key_figures,
    letter_theme_progress,
    letter_partner_reporting,
    letter_progress_across_years,
    letter_annex,
]
THE_LETTERS_SENTENCE = (
    "In 2008 was het verschil in werkloosheid tussen burgers met een buiten-Europese "
    "migratieachtergrond en het gemiddelde van de bevolking 3,2 procentpunten; anno 2022* is "
    "dat 2,9 procentpunten."
)


def materialise(warehouse_url: str, year: str) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        LETTER_ASSETS,
        resources={"warehouse": Warehouse(url=warehouse_url)},
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=year,
    )
    assert result.success
    return result


def fill_inputs(store: WarehouseStore) -> None:
    write_cbs_table(store)
    write_gaps(
        store,
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2008: (6.9, 3.7), 2013: (16.0, 8.2), 2022: (6.4, 3.5)},
            provisional_years=[2022],
        ),
        gap_rows(
            "85456NED",
            "outside_europe_origin",
            {2013: (55.0, 65.0), 2022: (61.0, 69.0)},
            indicator="net_participation_rate",
        ),
        gap_rows("82809NED", "non_western", {2008: (8.0, 3.7), 2012: (14.1, 5.8)}),
        gap_rows(
            "82809NED", "non_western", {2008: (61.1, 67.9)}, indicator="net_participation_rate"
        ),
    )
    write_registry(store)
    write_submissions(
        store,
        [
            submission("fnv", 2023, received_at=datetime(2023, 3, 1, 10, 0)),
            submission("uwv", 2023, received_at=datetime(2023, 11, 27, 8, 0)),
            submission("abu", 2023, status="rejected"),
        ],
    )
    write_actions(
        store,
        [
            action(
                "fnv",
                2023,
                "F1",
                "kans_op_baan_of_stage",
                "lopend",
                title="=Stagepact",
                people=1234,
                start=date(2023, 2, 1),
            ),
            action(
                "uwv",
                2023,
                "U1",
                "kans_op_baan_of_stage",
                "afgerond",
                title="Leerwerkroutes",
                people=10,
                employers=2,
            ),
            action(
                "uwv",
                2023,
                "U2",
                "begeleiding_naar_werk",
                "gepland",
                title="Inclusieve dienstverlening",
            ),
        ],
    )


def test_annex_matches_the_warehouse(
    store: WarehouseStore, warehouse_url: str, offline_environment: Path
) -> None:
    fill_inputs(store)
    result = materialise(warehouse_url, "2023")
    folder = offline_environment / "output" / "2023"
    files = {path.name for path in folder.iterdir()}
    assert files == {
        "voortgang_via_2023_bijlage.docx",
        "voortgang_via_2023_tabellen.xlsx",
        "voortgang_via_2023_bijlage.md",
        "voortgang_via_2023_unemployment_rate_verschil.png",
        "voortgang_via_2023_net_participation_rate_verschil.png",
        "voortgang_via_2023_uitsplitsing_generation.png",
        "voortgang_via_2023_uitsplitsing_sex.png",
        "voortgang_via_2023_uitsplitsing_start_qualification.png",
        "voortgang_via_2023_acties_per_jaar.png",
        # Statushouders aan het werk runs from 2023: its own letter, the progress part only.
        "voortgang_statushouders_2023_bijlage.docx",
        "voortgang_statushouders_2023_tabellen.xlsx",
        "voortgang_statushouders_2023_bijlage.md",
        "voortgang_statushouders_2023_acties_per_jaar.png",
    }
    key_figures = store.read(
        "SELECT * FROM letter.key_figures WHERE reporting_year = :y ORDER BY figure_key, year",
        {"y": 2023},
    )
    statements = key_figures.drop_duplicates("figure_key")
    assert THE_LETTERS_SENTENCE in set(statements["text_nl"])

    # Word: headings per part, each sentence with its source as a real footnote, the tables.
    document = docx.Document(str(folder / "voortgang_via_2023_bijlage.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Kerncijfers",
        *[theme.title for theme in load_themes()],
        "Voortgang ten opzichte van 2022",
        "De agenda tot nu toe (2022-2023)",
        "Partneroverzicht",
    ]
    footnotes = read_footnotes(folder / "voortgang_via_2023_bijlage.docx")
    texts = [p.text for p in document.paragraphs]
    for _, statement in statements.iterrows():
        paragraph = next(p for p in document.paragraphs if p.text == statement["text_nl"])
        [reference] = paragraph._p.xpath(".//w:footnoteReference/@w:id")
        assert footnotes[int(reference)] == statement["source"]
    assert footnotes[1].endswith("* 2022: voorlopig cijfer.")
    assert "2 van de 21 partners hebben gerapporteerd." in texts
    assert any(
        t.startswith(
            "Over 2023 rapporteerden 2 partners 2 acties binnen dit thema (1 lopend en 1 afgerond)."
        )
        for t in texts
    )
    assert "Over 2023 is voor dit thema geen actie gerapporteerd." in texts
    # Two gap charts, a chart per breakdown, the status chart.
    assert len(document.inline_shapes) == 6
    # Tables and figures numbered in document order; figure captions true to the drawing.
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[:3] == [
        "Tabel 1. Kerncijfers: verschillen in procentpunten",
        next(
            c
            for c in captions
            if c.startswith("Figuur 1. Werkloosheidspercentage, verschil per groep")
        ),
        next(c for c in captions if c.startswith("Figuur 2. Nettoarbeidsparticipatie")),
    ]
    assert captions[-1] == f"Tabel {len(document.tables)}. Partneroverzicht"
    # Both charts span 2013 (82809NED from 2008, 85456NED from 2013): the line is drawn.
    assert all("De stippellijn bij 2013" in caption for caption in captions[1:3])
    assert [c.split(":")[0] for c in captions[3:6]] == [
        "Figuur 3. Uitsplitsing naar generatie",
        "Figuur 4. Uitsplitsing naar geslacht",
        "Figuur 5. Uitsplitsing naar startkwalificatie",
    ]

    partners = store.read(
        "SELECT * FROM letter.partner_reporting WHERE reporting_year = 2023 AND programme = 'via' "
        "ORDER BY partner_name, partner_id"
    )
    partner_table = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "Partner" and t.rows[0].cells[1].text == "Gerapporteerd"
    )
    assert len(partner_table.rows) == 1 + len(partners) == 22
    names = [row.cells[0].text for row in partner_table.rows[1:]]
    # Case and accents ignored: "Algemene Bond ... (ABU)" before "AWVN".
    assert names == sorted(partners["partner_name"], key=name_sort_key)
    assert names.index("Algemene Bond Uitzendondernemingen (ABU)") < names.index("AWVN")
    fnv_row = next(r for r in partner_table.rows if r.cells[0].text == "FNV")
    assert [c.text for c in fnv_row.cells] == ["FNV", "ja", format_date(date(2023, 3, 1)), "1", "0"]
    key_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Kerncijfer")
    assert [c.text for c in key_table.rows[0].cells] == [
        "Kerncijfer",
        "CBS-tabel",
        "Jaar",
        "Verschil (procentpunten)",
    ]
    # Readers see each statement's title from config, never its figure_key.
    keys_by_title = {spec.title: spec.figure_key for spec in load_key_figure_config().figures}
    stored = {(r.figure_key, str(r.year)): r.value for r in key_figures.itertuples()}
    assert len(key_table.rows) == 1 + len(stored)
    for row in key_table.rows[1:]:
        value = float(stored[(keys_by_title[row.cells[0].text], row.cells[2].text)])
        assert row.cells[3].text == ("n.b." if value != value else format_decimal(value))
    assert key_table.rows[1].cells[0].text == (
        "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde"
    )
    assert key_table.rows[1].cells[3].text == "3,2" and key_table.rows[2].cells[2].text == "2022"
    assert not any("_" in row.cells[0].text for row in key_table.rows)
    stage_table = next(
        t for t in document.tables if t.rows[0].cells[1].text == "Actie" and len(t.rows) == 3
    )
    assert [c.text for c in stage_table.rows[1].cells] == [
        "FNV",
        "=Stagepact",
        "lopend",
        "1 februari 2023",
        "n.b.",
        format_integer(1234),
        "n.b.",
    ]

    # Workbook: a sheet per table, Dutch headers, values as numbers, no formula.
    workbook = openpyxl.load_workbook(folder / "voortgang_via_2023_tabellen.xlsx")
    assert workbook.sheetnames == [
        "Kerncijfers",
        "Voortgang per thema",
        "Partneroverzicht",
        "Acties",
        "Verschillen per jaar",
        "Uitsplitsing generatie",
        "Uitsplitsing geslacht",
        "Uitsplitsing startkwalificatie",
        "Acties 2022-2023",
        "Bewegingen per thema",
        "Bewegingen per partner",
        "Agenda tot nu toe",
        "Rapportage per jaar",
    ]
    sheet = workbook["Kerncijfers"]
    assert [c.value for c in sheet[1]] == [
        "Kerncijfer",
        "Indicator",
        "Groep",
        "Vergeleken met",
        "CBS-tabel",
        "Jaar",
        "Verschil (procentpunten)",
        "Code",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(key_figures)
    for row in rows:
        assert isinstance(row[5], int)  # a year, not text
        assert keys_by_title[row[0]] == row[7]  # the title, and the figure_key to match rows
        expected = stored[(row[7], str(row[5]))]
        assert (row[6] is None) if expected != expected else row[6] == pytest.approx(expected)
    actions = workbook["Acties"]
    assert actions["B2"].value == "FNV" and actions["C2"].value == "=Stagepact"
    assert actions["C2"].data_type == "s"
    for row in workbook["Acties"].iter_rows():
        assert all(cell.data_type != "f" for cell in row)
    themes = list(workbook["Voortgang per thema"].iter_rows(min_row=2, values_only=True))
    assert themes[1][:3] == ("Meer kans op een baan of stage", 2, 2)

    # Progress since 2022 (no partner file of 2022): each theme's stored sentence, after its title.
    movements = store.read_table(
        "letter.progress_movements", {"reporting_year": 2023, "programme": "via"}
    )
    theme_sentences = movements[movements["scope"] == "theme"].set_index("scope_key")["sentence_nl"]
    for theme in load_themes():
        assert f"{theme.title}. {theme_sentences[theme.code]}" in texts
    assert theme_sentences["kans_op_baan_of_stage"] == (
        "In 2022 waren binnen dit thema geen acties gepland of lopend; er zijn geen nieuwe "
        "acties. 2 acties komen van partners die over 2022 niet rapporteerden."
    )
    progress_sheet = workbook["Acties 2022-2023"]
    assert (
        progress_sheet["D1"].value == "Actie-id" and progress_sheet["J1"].value == "Beweging (code)"
    )
    assert progress_sheet.max_row == 1 + store.count(
        "letter.action_progress", {"reporting_year": 2023, "programme": "via"}
    )
    assert {c.value for c in progress_sheet["J"][1:]} == {"partner_absent_previous"}

    markdown = (folder / "voortgang_via_2023_bijlage.md").read_text(encoding="utf-8")
    assert "## Voortgang ten opzichte van 2022" in markdown
    assert "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde |" in markdown
    assert "werkloosheid_buiten_europa_vs_bevolking" not in markdown
    assert "gemaakt" in markdown and format_date(date.today()) not in markdown
    assert (
        "## Partneroverzicht" in markdown
        and "2 van de 21 partners hebben gerapporteerd." in markdown
    )
    assert THE_LETTERS_SENTENCE.replace("*", "\\*") + "[^1]" in markdown

    # Run metadata: key figures as a Markdown table, and the files linked.
    annex_metadata = result.asset_materializations_for_node("letter__annex")[0].metadata
    assert "file:voortgang_via_2023_bijlage.docx" in annex_metadata
    assert "file:voortgang_via_2023_unemployment_rate_verschil.png" in annex_metadata
    assert "file:voortgang_via_2023_acties_per_jaar.png" in annex_metadata
    key_metadata = result.asset_materializations_for_node("letter__key_figures")[0].metadata
    assert "| kerncijfer" in key_metadata["key_figures"].value
    assert "| Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde " in (
        key_metadata["key_figures"].value
    )
    # Markdown: the asterisk of the provisional year escaped.
    assert markdown_cell(THE_LETTERS_SENTENCE) in key_metadata["key_figures"].value
    assert "anno 2022\\* is dat" in key_metadata["key_figures"].value
    checks = {(c.asset_key, c.check_name): c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {
        (KEY_FIGURES_KEY, "sentences_complete_without_minus_signs"): True,
        (dg.AssetKey(["letter", "theme_progress"]), "status_counts_add_up"): True,
        (
            dg.AssetKey(["letter", "partner_reporting"]),
            "one_row_per_partner_with_consistent_dates",
        ): True,
        (
            dg.AssetKey(["letter", "action_progress"]),
            "one_row_per_action_with_statuses_of_reporting_partners",
        ): True,
        # Nothing sent yet: the sent-letter checks pass (issue 22).
        (dg.AssetKey(["letter", "annex"]), "sent_files_unchanged"): True,
        (dg.AssetKey(["letter", "annex"]), "sent_figures_not_revised_much"): True,
    }
    assert annex_metadata["sent_release"].value == "not sent (no `via-pipeline letter approve` yet)"
    recorded = store.read(
        "SELECT check_name, COUNT(*) AS n, MIN(partition) AS p FROM quality.validation_results "
        "WHERE asset_key LIKE 'letter/%' GROUP BY check_name ORDER BY check_name"
    )
    assert recorded["check_name"].tolist() == [
        "one_row_per_action_with_statuses_of_reporting_partners",
        "one_row_per_partner_with_consistent_dates",
        "sentences_complete_without_minus_signs",
        "status_counts_add_up",
    ]
    assert recorded["n"].astype(int).tolist() == [3, 3, 5, 3] and set(recorded["p"]) == {"2023"}
    assert ANNEX_KEY in {event.asset_key for event in result.get_asset_materialization_events()}


def test_a_year_without_submissions_still_gives_the_annex(
    store: WarehouseStore, warehouse_url: str, offline_environment: Path
) -> None:
    write_registry(store)
    materialise(warehouse_url, "2024")
    folder = offline_environment / "output" / "2024"
    document = docx.Document(str(folder / "voortgang_via_2024_bijlage.docx"))
    texts = [p.text for p in document.paragraphs]
    assert "0 van de 21 partners hebben gerapporteerd." in texts
    assert texts.count("Over 2024 is voor dit thema geen actie gerapporteerd.") == 3
    partner_table = document.tables[-1]
    assert len(partner_table.rows) == 22
    assert {row.cells[1].text for row in partner_table.rows[1:]} == {"nee"}
    markdown = (folder / "voortgang_via_2024_bijlage.md").read_text(encoding="utf-8")
    assert "0 van de 21 partners hebben gerapporteerd." in markdown
    # No CBS data at all: every statement says it is unavailable, no value is stored.
    key_figures = store.read_table("letter.key_figures", {"reporting_year": 2024})
    assert not key_figures.empty and key_figures["value"].isna().all()
    assert all(
        "niet beschikbaar" in text or "niet bekend" in text for text in key_figures["text_nl"]
    )
    workbook = openpyxl.load_workbook(folder / "voortgang_via_2024_tabellen.xlsx")
    assert workbook["Partneroverzicht"].max_row == 22
    assert workbook["Acties"].max_row == 1


def test_two_builds_from_the_same_inputs_give_byte_identical_files(
    store: WarehouseStore, warehouse_url: str, offline_environment: Path
) -> None:
    """docx, xlsx, md and every PNG, built at two clock times: the same bytes, dated from the
    newest input (uwv's file received 27 November 2023), not from the clock."""
    fill_inputs(store)
    folder = offline_environment / "output" / "2023"
    materialise(warehouse_url, "2023")
    first = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    time.sleep(2.1)  # zip entry times have a resolution of two seconds
    materialise(warehouse_url, "2023")
    second = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    assert {name.rsplit(".", 1)[1] for name in first} == {"docx", "xlsx", "md", "png"}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    word = docx.Document(str(folder / "voortgang_via_2023_bijlage.docx"))
    assert word.core_properties.created == datetime(2023, 11, 27, tzinfo=UTC)
    assert word.core_properties.modified == datetime(2023, 11, 27, tzinfo=UTC)
    assert "Stand van de gegevens: 27 november 2023." in [p.text for p in word.paragraphs]
    workbook = openpyxl.load_workbook(folder / "voortgang_via_2023_tabellen.xlsx")
    assert workbook.properties.modified == datetime(2023, 11, 27)
    for name in first:
        if name.endswith(".png"):
            assert b"tEXt" not in first[name] and b"tIME" not in first[name], name
