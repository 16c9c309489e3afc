"""Done when (issue 27), on DuckDB and PostgreSQL: one partner file with two VIA actions and one
statushouders action, taken in and built into the 2023 letters through Dagster, gives a VIA
letter counting 2 actions with the sentence about the 1 reported apart, a statushouders annex
listing that action, and no statushouders action in any VIA table."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import docx
import openpyxl

from via_pipeline.core.letter.across_years.tables import write_progress_tables
from via_pipeline.core.letter.across_years.wording import load_progress_wording
from via_pipeline.core.letter.build import (
    write_partner_reporting,
    write_programme_annexes,
    write_theme_progress,
)
from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.letter.config import load_themes as load_letter_themes
from via_pipeline.core.letter.document import Paragraph, Section
from via_pipeline.core.partners.archive import archive_bytes
from via_pipeline.core.partners.intake import take_in
from via_pipeline.core.partners.programmes import load_programmes
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.letter.across_years import letter_progress_across_years
from via_pipeline.defs.letter.assets import (
    ANNEX_KEY,
    letter_annex,
    letter_key_figures,
    letter_partner_reporting,
    letter_theme_progress,
)
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.letter import (
    action,
    gap_rows,
    write_actions,
    write_cbs_table,
    write_gaps,
    write_registry,
)
from via_pipeline_tests.support.partners import HEADER, csv_bytes
from via_pipeline_tests.support.programmes import (
    config_copy,
    programmes_document,
    write_programmes,
)

STATUSHOUDERS_TITLE = "Werkervaringsplekken statushouders"
# abu's file of 2023 as a partner fills in the template: programma left empty for VIA actions.
ROWS = [
    ["abu", 2023, "1", "kans_op_baan_of_stage", "Stageplaatsen mbo", "lopend", "01-02-2023",
     "", 40, 6, "", ""],
    ["abu", 2023, "2", "diversiteit_op_het_werk", "Training objectief werven", "afgerond",
     "", "", 120, "", "", "via"],
    ["abu", 2023, "3", "kans_op_baan_of_stage", STATUSHOUDERS_TITLE, "gepland", "", "", 25, 3,
     "Met gemeenten", "statushouders"],
]  # fmt: skip
VIA_SENTENCE = (
    "Over 2023 rapporteerde 1 partner daarnaast 1 actie voor Statushouders aan het werk; die "
    "actie wordt in een aparte voortgangsbrief gerapporteerd en telt hier niet mee."
)


def build_2023(
    store: WarehouseStore, warehouse_url: str, data_dir: Path
) -> dg.ExecuteInProcessResult:
    write_cbs_table(store)
    write_gaps(
        store,
        gap_rows("85456NED", "outside_europe_origin", {2008: (6.9, 3.7), 2022: (6.4, 3.5)}),
    )
    write_registry(store)
    content = csv_bytes(ROWS, [*HEADER, "programma"], ";")
    archived = archive_bytes(content, "abu_2023.csv", data_dir / "archive")
    outcome = take_in(
        store, archived, data_dir / "feedback", load_partners(), load_themes(), (2022, 2023)
    )
    assert outcome.status == "accepted", outcome.problems
    result = dg.materialize(
        [letter_key_figures, letter_theme_progress, letter_partner_reporting,
         letter_progress_across_years, letter_annex],
        resources={"warehouse": Warehouse(url=warehouse_url)},
        instance=dg.DagsterInstance.ephemeral(),
        partition_key="2023",
    )  # fmt: skip
    assert result.success
    return result


def test_two_programmes_two_letters(
    store: WarehouseStore, warehouse_url: str, offline_environment: Path
) -> None:
    result = build_2023(store, warehouse_url, offline_environment)

    actions = store.read_table("partners.actions").sort_values("action_id")
    assert actions["programme"].tolist() == ["via", "via", "statushouders"]

    # VIA's theme_progress counts its 2 actions; statushouders' its 1.
    via = {"reporting_year": 2023, "programme": "via"}
    statushouders = {"reporting_year": 2023, "programme": "statushouders"}
    via_themes = store.read_table("letter.theme_progress", via).set_index("theme")
    assert int(via_themes["action_count"].sum()) == 2
    assert via_themes.loc["kans_op_baan_of_stage", "action_count"] == 1
    assert via_themes.loc["kans_op_baan_of_stage", "people_reached"] == 40
    own_themes = store.read_table("letter.theme_progress", statushouders).set_index("theme")
    assert int(own_themes["action_count"].sum()) == 1
    assert own_themes.loc["kans_op_baan_of_stage", "people_reached"] == 25

    # No statushouders action in any VIA table.
    reporting = store.read_table("letter.partner_reporting", via).set_index("partner_id")
    assert reporting.loc["abu", "action_count"] == 2
    assert (
        store.read_table("letter.partner_reporting", statushouders)
        .set_index("partner_id")
        .loc["abu", "action_count"]
        == 1
    )
    via_progress = store.read_table("letter.action_progress", via)
    assert sorted(via_progress["action_id"]) == ["1", "2"]
    assert STATUSHOUDERS_TITLE not in set(via_progress["title"])
    assert store.read_table("letter.action_progress", statushouders)["title"].tolist() == [
        STATUSHOUDERS_TITLE
    ]
    agenda = store.read_table("letter.agenda_progress", via)
    assert int(agenda["actions_reported"].sum()) == 2
    own_agenda = store.read_table("letter.agenda_progress", statushouders)
    assert int(own_agenda["actions_reported"].sum()) == 1
    assert set(own_agenda["first_year"]) == {2023}  # its agenda starts in 2023

    folder = offline_environment / "output" / "2023"
    # The VIA letter: its two actions, and the one sentence on the statushouders action.
    via_md = (folder / "voortgang_via_2023_bijlage.md").read_text(encoding="utf-8")
    assert VIA_SENTENCE in via_md
    assert "Stageplaatsen mbo" in via_md and STATUSHOUDERS_TITLE not in via_md
    assert "## Kerncijfers" in via_md
    via_book = openpyxl.load_workbook(folder / "voortgang_via_2023_tabellen.xlsx")
    for sheet in via_book.worksheets:
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
        assert STATUSHOUDERS_TITLE not in cells, sheet.title
    via_word = "\n".join(
        p.text for p in docx.Document(str(folder / "voortgang_via_2023_bijlage.docx")).paragraphs
    )
    assert VIA_SENTENCE in via_word

    # The statushouders letter: its own files, the action listed, no CBS key figures.
    own_md = (folder / "voortgang_statushouders_2023_bijlage.md").read_text(encoding="utf-8")
    assert own_md.startswith("# Bijlage voortgang Statushouders aan het werk 2023")
    assert STATUSHOUDERS_TITLE in own_md and "Stageplaatsen mbo" not in own_md
    assert "Kerncijfers" not in own_md and "CBS" not in own_md
    assert "aparte voortgangsbrief" not in own_md
    own_book = openpyxl.load_workbook(folder / "voortgang_statushouders_2023_tabellen.xlsx")
    actions_sheet = [
        row for row in own_book["Acties"].iter_rows(min_row=2, values_only=True) if any(row)
    ]
    assert len(actions_sheet) == 1 and STATUSHOUDERS_TITLE in actions_sheet[0]
    assert "Kerncijfers" not in own_book.sheetnames
    assert own_book.properties.title == (
        "Tabellen bij de voortgangsbrief Statushouders aan het werk over 2023"
    )
    assert via_book.properties.title == "Tabellen bij de voortgangsbrief Werkagenda VIA over 2023"
    own_word = docx.Document(str(folder / "voortgang_statushouders_2023_bijlage.docx"))
    assert any(
        STATUSHOUDERS_TITLE in cell.text
        for t in own_word.tables
        for r in t.rows
        for cell in r.cells
    )
    assert own_word.core_properties.subject == (
        "Bijlage bij de voortgangsbrief Statushouders aan het werk over 2023"
    )
    assert (folder / "voortgang_statushouders_2023_acties_per_jaar.png").is_file()
    assert not list(folder.glob("voortgang_statushouders_2023_*_verschil.png"))

    # The UI shows the programmes: per-programme metadata on the assets.
    theme_metadata = result.asset_materializations_for_node("letter__theme_progress")[0].metadata
    assert theme_metadata["actions"].value == 3  # all programmes, as the history had it
    assert theme_metadata["actions_via"].value == 2
    assert theme_metadata["actions_statushouders"].value == 1
    (annex,) = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key == ANNEX_KEY
    ]
    annex_metadata = annex.metadata
    assert annex_metadata["programmes"].value == "via, statushouders"
    assert (
        "voortgang_statushouders_2023_bijlage.docx"
        in annex_metadata["programme_statushouders"].value
    )

    # A programme's revisions section goes into its own letter only (core/letter/releases).
    section = Section(
        "Herzieningen sinds de vorige brief",
        (Paragraph("Sinds de brief over 2022 is geen van de daarin genoemde cijfers gewijzigd."),),
    )
    write_programme_annexes(
        store,
        load_key_figure_config(),
        load_letter_themes(),
        2023,
        offline_environment / "output",
        after_key_figures={"statushouders": (section,)},
    )
    own_md = (folder / "voortgang_statushouders_2023_bijlage.md").read_text(encoding="utf-8")
    assert "## Herzieningen sinds de vorige brief" in own_md
    assert "Herzieningen" not in (folder / "voortgang_via_2023_bijlage.md").read_text(
        encoding="utf-8"
    )


def test_a_year_is_built_for_the_programmes_running_in_it_only(
    store: WarehouseStore, tmp_path: Path
) -> None:
    """With a config where via ends in 2022 and statushouders starts in 2024, 2022 has via's
    slice only and 2023 no letter at all: empty tables, no files, no error."""
    folder = config_copy(tmp_path)
    document = programmes_document(folder)
    entries = document["programmes"]
    assert isinstance(entries, list)
    entries[0]["last_year"] = 2022
    entries[1]["first_year"] = 2024
    write_programmes(folder, document)
    programmes = load_programmes(folder)
    write_registry(store)
    write_actions(
        store,
        [
            action("abu", 2022, "1", "kans_op_baan_of_stage"),
            action("abu", 2023, "1", "kans_op_baan_of_stage"),
        ],
    )
    themes = load_letter_themes()
    assert set(write_theme_progress(store, themes, 2022, programmes)["programme"]) == {"via"}
    assert write_theme_progress(store, themes, 2023, programmes).empty
    assert write_partner_reporting(store, 2023, programmes).empty
    tables = write_progress_tables(
        store, themes, ["abu"], load_progress_wording(), 2023, programmes
    )
    assert tables.action_progress.empty and tables.movements.empty and tables.agenda.empty
    assert store.count("letter.theme_progress", {"reporting_year": 2023}) == 0
    assert store.count("letter.theme_progress", {"reporting_year": 2022}) == 3
    output = tmp_path / "output"
    assert (
        write_programme_annexes(store, load_key_figure_config(), themes, 2023, output, programmes)
        == {}
    )
    assert not output.exists()
