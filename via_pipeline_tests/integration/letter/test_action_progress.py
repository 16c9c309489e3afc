"""Guards progress across years on DuckDB and PostgreSQL, from partner files taken in through the
real intake: three years of submissions (ids like 1 reused by every partner, `;` and Dutch
dates), a partner that skipped a year, an id reused for another action, a corrected resubmission
(only the current version counts); movements, counts, sentences, the agenda and the warnings."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import openpyxl
import pandas as pd

from via_pipeline.core.letter.across_years.tables import write_progress_tables
from via_pipeline.core.letter.across_years.warnings import write_warning_files
from via_pipeline.core.letter.across_years.wording import load_progress_wording
from via_pipeline.core.letter.config import load_themes
from via_pipeline.core.partners.archive import archive_bytes
from via_pipeline.core.partners.intake import IntakeOutcome, take_in
from via_pipeline.core.partners.registry import load_partners
from via_pipeline.core.partners.registry import load_themes as load_partner_themes
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.letter.across_years import letter_progress_across_years
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.letter import write_registry
from via_pipeline_tests.support.partners import csv_bytes

PARTNERS = load_partners()
PARTNER_IDS = [partner.partner_id for partner in PARTNERS]
THEMES = load_themes()
WORDING = load_progress_wording()
YEARS = (2022, 2023, 2024, 2025)
DIVERSITEIT, KANS, BEGELEIDING = (
    "diversiteit_op_het_werk",
    "kans_op_baan_of_stage",
    "begeleiding_naar_werk",
)


def row(
    partner: str, year: int, action_id: str, theme: str, title: str, status: str
) -> list[object]:
    """A row as Dutch Excel saves it: dd-mm-jjjj, a thousands point, an empty end date."""
    return [partner, year, action_id, theme, title, status, f"01-03-{year}", "", "1.250", "", ""]


def submit(
    store: WarehouseStore, data_dir: Path, name: str, rows: list[list[object]]
) -> IntakeOutcome:
    content = csv_bytes(rows, delimiter=";", encoding="cp1252")
    archived = archive_bytes(content, name, data_dir / "archive")
    outcome = take_in(
        store, archived, data_dir / "feedback", PARTNERS, load_partner_themes(), YEARS
    )
    assert outcome.status == "accepted", outcome.problems
    return outcome


def three_years(store: WarehouseStore, data_dir: Path) -> IntakeOutcome:
    """2022-2024 as partners sent them; returns abu's corrected (current) 2023 file."""
    write_registry(store)
    submit(store, data_dir, "vng_2022.csv", [
        row("vng", 2022, "1", BEGELEIDING, "Lerend netwerk inclusieve dienstverlening", "lopend"),
        row("vng", 2022, "2", DIVERSITEIT, "Handreiking aanpak arbeidsmarktdiscriminatie", "gepland"),
        row("vng", 2022, "3", KANS, "Werkervaringsplekken voor statushouders", "lopend"),
    ])  # fmt: skip
    submit(store, data_dir, "abu_2022.csv", [
        row("abu", 2022, "1", KANS, "Stageplaatsen bij uitzendbureaus voor mbo-studenten", "gepland"),
        row("abu", 2022, "2", DIVERSITEIT, "Training objectief werven en selecteren", "afgerond"),
    ])  # fmt: skip
    # fnv skipped 2022.
    submit(store, data_dir, "vng_2023.csv", [
        row("vng", 2023, "1", BEGELEIDING, "Lerend netwerk inclusieve dienstverlening", "afgerond"),
        row("vng", 2023, "2", DIVERSITEIT, "Handreiking aanpak arbeidsmarktdiscriminatie", "lopend"),
        row("vng", 2023, "3", KANS, "Werkervaringsplekken statushouders", "gestopt"),
        row("vng", 2023, "4", DIVERSITEIT, "Pilot anoniem solliciteren", "gepland"),
    ])  # fmt: skip
    submit(store, data_dir, "fnv_2023.csv", [
        row("fnv", 2023, "1", KANS, "Stagepact vakbondsjongeren", "lopend"),
    ])  # fmt: skip
    # abu's first 2023 file, then the corrected one: only the second counts.
    submit(store, data_dir, "abu_2023.csv", [
        row("abu", 2023, "1", KANS, "Stageplaatsen bij uitzendbureaus voor mbo-studenten", "lopend"),
        row("abu", 2023, "2", DIVERSITEIT, "Training objectief werven en selecteren", "afgerond"),
    ])  # fmt: skip
    corrected = submit(store, data_dir, "abu_2023.csv", [
        row("abu", 2023, "1", KANS, "Stageplaatsen bij uitzendbureaus voor mbo-studenten", "afgerond"),
        # The id 2 reused for something else.
        row("abu", 2023, "2", DIVERSITEIT, "Congres over racisme op de werkvloer", "gepland"),
        row("abu", 2023, "3", DIVERSITEIT, "Meldpunt discriminerende verzoeken", "gepland"),
    ])  # fmt: skip
    assert corrected.supersedes_sha256 is not None
    # vng skipped 2024.
    submit(store, data_dir, "abu_2024.csv", [
        row("abu", 2024, "1", KANS, "Stageplaatsen bij uitzendbureaus voor mbo-studenten", "afgerond"),
        row("abu", 2024, "2", DIVERSITEIT, "Congres over racisme op de werkvloer", "lopend"),
        row("abu", 2024, "3", DIVERSITEIT, "Meldpunt discriminerende verzoeken", "lopend"),
    ])  # fmt: skip
    submit(store, data_dir, "fnv_2024.csv", [
        row("fnv", 2024, "1", KANS, "Stagepact vakbondsjongeren", "afgerond"),
    ])  # fmt: skip
    return corrected


def movements_of(store: WarehouseStore, year: int) -> dict[tuple[str, str], tuple[object, ...]]:
    frame = store.read_table("letter.action_progress", {"reporting_year": year, "programme": "via"})
    plain = frame.astype(object).where(frame.notna(), None)
    return {
        (r["partner_id"], r["action_id"]): (
            r["previous_status"],
            r["current_status"],
            r["movement"],
        )
        for r in plain.to_dict("records")
    }


def counts_of(store: WarehouseStore, year: int, scope: str) -> pd.DataFrame:
    frame = store.read_table(
        "letter.progress_movements", {"reporting_year": year, "programme": "via"}
    )
    return frame[frame["scope"] == scope].set_index("scope_key")


def test_two_years_movements_counts_sentences_and_warnings(
    store: WarehouseStore, offline_environment: Path
) -> None:
    corrected = three_years(store, offline_environment)
    write_progress_tables(store, THEMES, PARTNER_IDS, WORDING, 2023)
    assert movements_of(store, 2023) == {
        ("abu", "1"): ("gepland", "afgerond", "completed"),  # the corrected file, not "lopend"
        ("abu", "2"): ("afgerond", "gepland", "moved_back"),
        ("abu", "3"): (None, "gepland", "new"),
        ("fnv", "1"): (None, "lopend", "partner_absent_previous"),
        ("vng", "1"): ("lopend", "afgerond", "completed"),
        ("vng", "2"): ("gepland", "lopend", "advanced"),
        ("vng", "3"): ("lopend", "gestopt", "stopped"),
        ("vng", "4"): (None, "gepland", "new"),
    }
    progress = store.read_table(
        "letter.action_progress", {"reporting_year": 2023, "programme": "via"}
    )
    reused = progress[(progress["partner_id"] == "abu") & (progress["action_id"] == "2")].iloc[0]
    assert (
        bool(reused["title_changed"]) and reused["title"] == "Congres over racisme op de werkvloer"
    )
    assert reused["previous_title"] == "Training objectief werven en selecteren"
    renamed = progress[(progress["partner_id"] == "vng") & (progress["action_id"] == "3")].iloc[0]
    assert not bool(renamed["title_changed"])  # "voor" dropped: the same action reworded
    assert int(renamed["people_reached_previous"]) == int(renamed["people_reached_current"]) == 1250

    themes = counts_of(store, 2023, "theme")
    assert themes.loc[KANS, ["open_previous", "completed", "stopped", "new"]].tolist() == [
        2,
        1,
        1,
        0,
    ]
    assert themes.loc[KANS, "partner_absent_previous"] == 1
    assert themes.loc[KANS, "sentence_nl"] == (
        "Van de 2 acties die in 2022 gepland of lopend waren, is er in 2023 1 afgerond en is er "
        "1 gestopt; er zijn geen nieuwe acties. 1 actie komt van een partner die over 2022 niet "
        "rapporteerde."
    )
    assert themes.loc[DIVERSITEIT, "sentence_nl"] == (
        "Van de 1 actie die in 2022 gepland of lopend was, loopt er in 2023 1 nog; "
        "2 acties zijn nieuw."
    )
    assert themes.loc[BEGELEIDING, "sentence_nl"] == (
        "Van de 1 actie die in 2022 gepland of lopend was, is er in 2023 1 afgerond; "
        "er zijn geen nieuwe acties."
    )
    partners = counts_of(store, 2023, "partner")
    assert sorted(partners.index) == ["abu", "fnv", "vng"]
    assert partners.loc["abu", ["completed", "moved_back", "new"]].tolist() == [1, 1, 1]

    warnings = store.read_table("quality.action_warnings", {"reporting_year": 2023})
    assert sorted(zip(warnings["action_id"], warnings["rule"], strict=True)) == [
        ("2", "status_backwards"),
        ("2", "title_changed"),
    ]
    assert set(warnings["submission_sha256"]) == {corrected.sha256}
    files = write_warning_files(offline_environment / "feedback", warnings)
    stem = f"abu_2023_{corrected.sha256[:8]}_waarschuwingen"
    assert [path.name for path in files] == [f"{stem}.xlsx", f"{stem}.md"]
    sheet = openpyxl.load_workbook(files[0])["waarschuwingen"]
    messages = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert messages == [
        "De status van actie_id '2' ging terug van 'afgerond' (2022) naar 'gepland'. Klopt dat, "
        "of is het actie_id voor een andere actie gebruikt?",
        "actie_id '2' had in 2022 de titel 'Training objectief werven en selecteren' en heeft nu "
        "een heel andere titel ('Congres over racisme op de werkvloer'). Houd voor een andere "
        "actie een nieuw actie_id aan.",
    ]
    assert "geen afkeuring" in files[1].read_text(encoding="utf-8")
    # The file stays accepted and current.
    current = store.read(
        "SELECT sha256 FROM partners.submissions WHERE partner_id = 'abu' AND reporting_year = 2023 "
        "AND is_current"
    )
    assert current["sha256"].tolist() == [corrected.sha256]


def test_third_year_partner_skipping_and_the_agenda(
    store: WarehouseStore, offline_environment: Path
) -> None:
    three_years(store, offline_environment)
    write_progress_tables(store, THEMES, PARTNER_IDS, WORDING, 2023)
    write_progress_tables(store, THEMES, PARTNER_IDS, WORDING, 2024)
    assert movements_of(store, 2024) == {
        ("abu", "1"): ("afgerond", "afgerond", "closed_before"),
        ("abu", "2"): ("gepland", "lopend", "advanced"),
        ("abu", "3"): ("gepland", "lopend", "advanced"),
        ("fnv", "1"): ("lopend", "afgerond", "completed"),
        # vng sent nothing for 2024: not reported, never "all dropped".
        ("vng", "1"): ("afgerond", None, "partner_absent_current"),
        ("vng", "2"): ("lopend", None, "partner_absent_current"),
        ("vng", "3"): ("gestopt", None, "partner_absent_current"),
        ("vng", "4"): ("gepland", None, "partner_absent_current"),
    }
    partners = counts_of(store, 2024, "partner")
    assert partners.loc["vng", "partner_absent_current"] == 4
    assert partners.loc["vng", "not_reported_again"] == 0
    themes = counts_of(store, 2024, "theme")
    assert themes.loc[DIVERSITEIT, "sentence_nl"] == (
        "Van de 2 acties die in 2023 gepland of lopend waren, lopen er in 2024 2 nog; er zijn "
        "geen nieuwe acties. Over 2 acties die in 2023 gepland of lopend waren, is niets "
        "bekend, omdat er over 2024 geen rapportage van hun partner is."
    )
    # The 2023 rows are still there, untouched by the 2024 build.
    assert (
        len(
            store.read_table("letter.action_progress", {"reporting_year": 2023, "programme": "via"})
        )
        == 8
    )
    assert store.count("quality.action_warnings", {"reporting_year": 2024}) == 0

    agenda = store.read_table(
        "letter.agenda_progress", {"reporting_year": 2024, "programme": "via"}
    ).set_index("theme")
    columns = [
        "actions_reported",
        "actions_started",
        "actions_planned",
        "actions_running",
        "actions_completed",
        "actions_stopped",
    ]
    assert agenda.loc[KANS, columns].tolist() == [3, 3, 0, 0, 2, 1]
    # vng 2 and 4 count at their last reported status (2023); abu 2 and 3 run in 2024.
    assert agenda.loc[DIVERSITEIT, columns].tolist() == [4, 3, 1, 3, 0, 0]
    assert agenda.loc[BEGELEIDING, columns].tolist() == [1, 1, 0, 0, 1, 0]
    assert set(agenda["first_year"]) == {2022}
    again = write_progress_tables(store, THEMES, PARTNER_IDS, WORDING, 2024)
    assert len(again.action_progress) == 8
    assert (
        len(
            store.read_table("letter.action_progress", {"reporting_year": 2024, "programme": "via"})
        )
        == 8
    )


def test_the_asset_writes_the_tables_and_the_partners_warnings_file(
    store: WarehouseStore, warehouse_url: str, offline_environment: Path
) -> None:
    corrected = three_years(store, offline_environment)
    result = dg.materialize(
        [letter_progress_across_years],
        resources={"warehouse": Warehouse(url=warehouse_url)},
        instance=dg.DagsterInstance.ephemeral(),
        partition_key="2023",
    )
    assert result.success
    metadata = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert set(metadata) == {
        "letter/action_progress",
        "letter/progress_movements",
        "letter/agenda_progress",
    }
    assert metadata["letter/action_progress"]["dagster/row_count"].value == 8
    assert metadata["letter/action_progress"]["warnings"].value == 2
    stem = f"abu_2023_{corrected.sha256[:8]}_waarschuwingen"
    assert f"file:{stem}.xlsx" in metadata["letter/action_progress"]
    warnings_md = (offline_environment / "feedback" / f"{stem}.md").read_text(encoding="utf-8")
    assert "| 2 | title_changed | actie_id '2' had in 2022 de titel" in warnings_md
    assert "Uw bestand over 2023 is verwerkt." in warnings_md
    assert "Van de 2 acties die in 2022 gepland of lopend waren" in (
        metadata["letter/progress_movements"]["sentences"].value
    )
    assert store.count("letter.agenda_progress", {"reporting_year": 2023, "programme": "via"}) == 3
