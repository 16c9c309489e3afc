"""Guards progress across years as plain functions: the kind of movement of every status pair,
partners that skipped a year, reused ids, the sentence per theme (the letter's own example),
the agenda summary and the wording config's messages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.letter.across_years.agenda import (
    agenda_progress_frame,
    partner_years_frame,
)
from via_pipeline.core.letter.across_years.annex import ProgressAnnex, build_progress_annex
from via_pipeline.core.letter.across_years.movements import (
    action_progress_frame,
    movement,
    movement_counts,
    movements_of,
    titles_completely_different,
)
from via_pipeline.core.letter.across_years.tables import build_progress_tables
from via_pipeline.core.letter.across_years.wording import (
    load_progress_wording,
    parse_progress_wording,
    partners_sentence_nl,
    theme_sentence_nl,
)
from via_pipeline.core.letter.config import load_themes
from via_pipeline.core.letter.document import Paragraph, TableBlock
from via_pipeline.core.settings.config import ConfigFileError, load_yaml

WORDING = load_progress_wording()
KANS = "kans_op_baan_of_stage"


def actions(*rows: tuple[str, int, str, str, str, str]) -> pd.DataFrame:
    """partners.actions rows from (partner, year, actie_id, theme, status, title)."""
    return pd.DataFrame(
        [
            {
                "partner_id": partner,
                "reporting_year": year,
                "action_id": action_id,
                "theme": theme,
                "status": status,
                "title": title,
                "people_reached": None,
                "employers_reached": None,
                "submission_sha256": f"{partner}{year}".ljust(64, "0"),
            }
            for partner, year, action_id, theme, status, title in rows
        ],
        columns=[
            "partner_id",
            "reporting_year",
            "action_id",
            "theme",
            "status",
            "title",
            "people_reached",
            "employers_reached",
            "submission_sha256",
        ],
    )


@pytest.mark.parametrize(
    ("previous", "current", "reported_previous", "reported_current", "expected"),
    [
        (None, "gepland", True, True, "new"),
        (None, "lopend", False, True, "partner_absent_previous"),
        ("gepland", "gepland", True, True, "continued"),
        ("lopend", "lopend", True, True, "continued"),
        ("gepland", "lopend", True, True, "advanced"),
        ("gepland", "afgerond", True, True, "completed"),
        ("lopend", "afgerond", True, True, "completed"),
        ("lopend", "gestopt", True, True, "stopped"),
        ("gepland", None, True, True, "not_reported_again"),
        ("lopend", None, True, False, "partner_absent_current"),
        ("afgerond", None, True, True, "closed_before"),
        ("gestopt", "gestopt", True, True, "closed_before"),
        ("afgerond", "gepland", True, True, "moved_back"),
        ("lopend", "gepland", True, True, "moved_back"),
        ("gestopt", "lopend", True, True, "moved_back"),
    ],
)
def test_movement_of_each_status_pair(
    previous: str | None,
    current: str | None,
    reported_previous: bool,
    reported_current: bool,
    expected: str,
) -> None:
    assert movement(previous, current, reported_previous, reported_current) == expected


@pytest.mark.parametrize(
    ("previous", "current", "different"),
    [
        ("Training werven en selecteren", "Training objectief werven en selecteren", False),
        ("Stageplaatsen mbo", "Stageplaatsen voor mbo-studenten", False),
        ("Meldpunt discriminatie", "meldpunt   Discriminatie", False),
        ("Werkervaringsplekken", "Werkervaringsplaatsen", False),
        ("Meldpunt discriminatie", "Congres over racisme op de werkvloer", True),
        ("Lerend netwerk gemeenten", "Stagebank uitzendbureaus", True),
    ],
)
def test_titles_completely_different(previous: str, current: str, different: bool) -> None:
    assert titles_completely_different(previous, current) is different


def test_the_letters_example_sentence() -> None:
    counts = {
        "completed": 9,
        "running": 4,
        "still_planned": 0,
        "stopped": 1,
        "not_reported_again": 0,
        "new": 6,
        "closed_before": 0,
        "moved_back": 0,
        "partner_absent_current": 0,
        "partner_absent_previous": 0,
        "continued": 0,
        "advanced": 4,
        "open_partner_absent": 0,
    }
    assert theme_sentence_nl(counts, WORDING, 2023) == (
        "Van de 14 acties die in 2022 gepland of lopend waren, zijn er in 2023 9 afgerond, "
        "lopen er 4 nog en is er 1 gestopt; 6 acties zijn nieuw."
    )


def test_a_partner_that_skipped_a_year_is_not_reported_never_dropped_or_new() -> None:
    frame = action_progress_frame(
        actions(
            ("abu", 2022, "1", KANS, "lopend", "Stageplaatsen"),
            ("abu", 2022, "2", KANS, "gepland", "Meldpunt"),
            ("vng", 2022, "1", KANS, "lopend", "Lerend netwerk"),
        ),
        actions(
            ("abu", 2023, "1", KANS, "afgerond", "Stageplaatsen"),
            ("fnv", 2023, "F1", KANS, "lopend", "Stagepact"),
        ),
        2023,
    )
    by_key = frame.set_index(["partner_id", "action_id"])["movement"].to_dict()
    assert by_key == {
        ("abu", "1"): "completed",
        ("abu", "2"): "not_reported_again",
        ("fnv", "F1"): "partner_absent_previous",
        ("vng", "1"): "partner_absent_current",
    }
    counts = movement_counts(frame)
    assert counts["open_previous"] == 2  # vng's action is not in "Van de N"
    assert counts["new"] == 0
    assert theme_sentence_nl(counts, WORDING, 2023) == (
        "Van de 2 acties die in 2022 gepland of lopend waren, is er in 2023 1 afgerond en is er "
        "1 niet opnieuw gerapporteerd; er zijn geen nieuwe acties. Over 1 actie die in 2022 "
        "gepland of lopend was, is niets bekend, omdat er over 2023 geen rapportage van de "
        "partner is. 1 actie komt van een partner die over 2022 niet rapporteerde."
    )


def test_theme_title_and_reach_of_both_years() -> None:
    previous = actions(("uwv", 2022, "U1", "begeleiding_naar_werk", "lopend", "Leerwerkroute"))
    previous["people_reached"] = [120]
    current = actions(("uwv", 2023, "U1", KANS, "lopend", "Leerwerkroutes"))
    current["people_reached"] = [300]
    [row] = action_progress_frame(previous, current, 2023).to_dict("records")
    assert row["theme"] == KANS and row["previous_theme"] == "begeleiding_naar_werk"
    assert row["theme_changed"] and not row["title_changed"]
    assert (row["people_reached_previous"], row["people_reached_current"]) == (120, 300)
    assert row["movement"] == "continued"


def test_agenda_counts_each_action_once_by_its_last_status() -> None:
    frame = agenda_progress_frame(
        actions(
            ("abu", 2022, "1", KANS, "gepland", "a"),
            ("abu", 2023, "1", KANS, "lopend", "a"),
            ("abu", 2024, "1", KANS, "afgerond", "a"),
            ("abu", 2022, "2", KANS, "gepland", "b"),
            ("abu", 2023, "2", KANS, "gestopt", "b"),
            ("vng", 2022, "1", KANS, "lopend", "c"),
            ("vng", 2024, "9", "diversiteit_op_het_werk", "gepland", "d"),
            ("vng", 2021, "0", KANS, "lopend", "before the agenda"),
        ),
        ["diversiteit_op_het_werk", KANS, "begeleiding_naar_werk"],
        2022,
        2024,
    ).set_index("theme")
    assert frame.loc[KANS, ["actions_reported", "actions_started"]].tolist() == [3, 2]
    assert frame.loc[
        KANS, ["actions_planned", "actions_running", "actions_completed", "actions_stopped"]
    ].tolist() == [0, 1, 1, 1]
    assert frame.loc["diversiteit_op_het_werk", "actions_planned"] == 1
    assert frame.loc["begeleiding_naar_werk", "actions_reported"] == 0


def test_partner_years_and_sentence() -> None:
    registry = pd.DataFrame(
        [
            {"partner_id": "abu", "name": "ABU", "first_year": 2022, "last_year": None},
            {"partner_id": "vng", "name": "VNG", "first_year": 2022, "last_year": None},
            {"partner_id": "new", "name": "Nieuw", "first_year": 2023, "last_year": None},
            {"partner_id": "old", "name": "Oud", "first_year": 2020, "last_year": 2021},
        ]
    )
    frame = partner_years_frame(
        registry,
        actions(
            ("abu", 2022, "1", KANS, "lopend", "a"),
            ("abu", 2023, "1", KANS, "lopend", "a"),
            ("vng", 2023, "1", KANS, "lopend", "a"),
            ("new", 2023, "1", KANS, "lopend", "a"),
        ),
        2022,
        2023,
    ).set_index("partner_id")
    assert list(frame.index) == ["abu", "vng", "new"]  # "old" left before the agenda
    assert frame.loc["vng", "years_missing"] == "2022"
    assert frame.loc["new", "years_reported"] == "2023" and pd.isna(
        frame.loc["new", "years_missing"]
    )
    assert partners_sentence_nl(2, 3, WORDING, 2023) == (
        "2 van de 3 partners rapporteerden in elk jaar van de agenda tot nu toe (2022-2023); "
        "1 miste een of meer jaren."
    )


def test_wording_config_problems_name_the_file_and_entry(tmp_path: Path) -> None:
    raw = load_yaml("action_progress.yaml")
    del raw["theme_sentence"]["outcomes"]["stopped"]
    with pytest.raises(
        ConfigFileError, match=r"x\.yaml: theme_sentence\.outcomes: missing stopped"
    ):
        parse_progress_wording(raw, "x.yaml")
    raw = load_yaml("action_progress.yaml")
    raw["agenda"]["last_year"] = 2020
    with pytest.raises(
        ConfigFileError, match=r"x\.yaml: agenda: last_year comes before first_year"
    ):
        parse_progress_wording(raw, "x.yaml")
    raw = load_yaml("action_progress.yaml")
    del raw["movement_labels"]["moved_back"]
    with pytest.raises(ConfigFileError, match="movement_labels: missing moved_back"):
        parse_progress_wording(raw, "x.yaml")
    assert WORDING.agenda_years(2024) == [2022, 2023, 2024]


def test_the_example_files_of_2023_and_2024_show_every_kind_of_progress() -> None:
    """examples/submissions: what README's "Try it" shows in the 2024 annex."""
    from via_pipeline.core.partners.intake import evaluate_submission
    from via_pipeline.core.partners.registry import load_partners
    from via_pipeline.core.partners.registry import load_themes as load_partner_themes
    from via_pipeline.core.settings.paths import REPO_ROOT

    examples = REPO_ROOT / "examples" / "submissions"
    years: dict[int, list[pd.DataFrame]] = {2023: [], 2024: []}
    for path in sorted(examples.glob("*_202[34].*")):
        year = int(path.stem[-4:])
        evaluation = evaluate_submission(
            path.read_bytes(), path.name, load_partners(), load_partner_themes(), [year]
        )
        assert evaluation.problems == (), path.name
        assert all(text.startswith("Voorbeeld:") for text in evaluation.actions["explanation"])
        years[year].append(evaluation.actions.assign(reporting_year=year))
    frame = action_progress_frame(pd.concat(years[2023]), pd.concat(years[2024]), 2024)
    assert frame.set_index(["partner_id", "action_id"])["movement"].to_dict() == {
        ("abu", "ABU-01"): "closed_before",
        ("abu", "ABU-02"): "completed",
        ("abu", "ABU-03"): "advanced",
        ("abu", "ABU-04"): "new",
        ("uwv", "UWV-2023-01"): "partner_absent_current",
        ("uwv", "UWV-2023-02"): "partner_absent_current",
        ("uwv", "UWV-2023-03"): "partner_absent_current",
        ("vng", "1"): "continued",
        ("vng", "2"): "closed_before",
        ("vng", "3"): "closed_before",
        ("vng", "4"): "new",
    }


def _progress_annex(rows: pd.DataFrame, year: int) -> ProgressAnnex:
    themes = load_themes()
    tables = build_progress_tables(rows, themes, ["abu", "vng"], WORDING, year)
    registry = pd.DataFrame(
        [
            {"partner_id": "vng", "name": "VNG", "first_year": 2022, "last_year": None},
            {"partner_id": "abu", "name": "ABU", "first_year": 2022, "last_year": None},
        ]
    )
    return build_progress_annex(
        year,
        themes,
        WORDING,
        tables.action_progress,
        tables.movements,
        tables.agenda,
        partner_years_frame(registry, rows, 2022, year),
        {"abu": "ABU", "vng": "VNG"},
        None,
    )


def test_annex_progress_section_tables_and_notes() -> None:
    rows = actions(
        ("abu", 2022, "1", KANS, "lopend", "Meldpunt discriminatie"),
        ("abu", 2023, "1", "diversiteit_op_het_werk", "gestopt", "Congres over racisme"),
        ("vng", 2023, "7", KANS, "gepland", "Werkervaringsplekken"),
    )
    annex = _progress_annex(rows, 2023)
    assert [section.heading for section in annex.sections] == [
        "Voortgang ten opzichte van 2022",
        "De agenda tot nu toe (2022-2023)",
    ]
    blocks = annex.sections[0].blocks
    paragraphs = [block.text for block in blocks if isinstance(block, Paragraph)]
    assert paragraphs[1] == (
        "Meer culturele diversiteit op het werk. Van de 1 actie die in 2022 gepland of lopend "
        "was, is er in 2023 1 gestopt; er zijn geen nieuwe acties."
    )
    tables = [block.table for block in blocks if isinstance(block, TableBlock)]
    moved = tables[0]
    assert [column.header for column in moved.columns][-1] == "Opmerking"
    assert moved.rows == (
        (
            "ABU",
            "1",
            "Congres over racisme",
            "lopend",
            "gestopt",
            "gestopt",
            "thema in 2022: Meer kans op een baan of stage; titel in 2022: Meldpunt discriminatie",
        ),
    )
    # vng did not report in 2022: its action is not called new.
    assert tables[1].rows == (("VNG", "7", "Werkervaringsplekken", "—", "gepland",
                               "partner rapporteerde vorig jaar niet"),)  # fmt: skip
    assert [column.header for column in tables[1].columns][-1] == "Beweging"
    counts = tables[-1]
    assert counts.rows[0] == ("Vorig jaar gepland of lopend", 1, 0, 0, 1)
    partner_years = annex.sections[1].blocks[-1]
    assert isinstance(partner_years, TableBlock)
    assert partner_years.table.rows == (("ABU", "2022, 2023", "geen"), ("VNG", "2023", "2022"))
    assert [table.sheet for table in annex.workbook] == [
        "Acties 2022-2023",
        "Bewegingen per thema",
        "Bewegingen per partner",
        "Agenda tot nu toe",
        "Rapportage per jaar",
    ]


def test_the_agendas_first_year_has_nothing_to_compare_with() -> None:
    annex = _progress_annex(actions(("abu", 2022, "1", KANS, "lopend", "a")), 2022)
    assert [section.heading for section in annex.sections] == ["De agenda tot nu toe (2022)"]


def test_column_wise_movements_follow_the_same_rules() -> None:
    statuses = [None, "gepland", "lopend", "afgerond", "gestopt"]
    cases = [
        (previous, current, before, now)
        for previous in statuses
        for current in statuses
        for before in (True, False)
        for now in (True, False)
        if (previous is not None or current is not None)
        and (previous is None or before)
        and (current is None or now)
    ]
    frame = pd.DataFrame(cases, columns=["previous", "current", "before", "now"])
    vectorised = movements_of(frame["previous"], frame["current"], frame["before"], frame["now"])
    assert vectorised.tolist() == [movement(*case) for case in cases]
    assert len(cases) == 32


def test_closed_actions_of_a_partner_that_stopped_reporting_need_no_sentence() -> None:
    frame = action_progress_frame(
        actions(("uwv", 2023, "U2", KANS, "afgerond", "Webinars")),
        actions(("abu", 2024, "1", "begeleiding_naar_werk", "lopend", "Jobcoaches")),
        2024,
        partners_reported_previous=["uwv", "abu"],
    )
    counts = movement_counts(frame[frame["theme"] == KANS])
    assert counts["partner_absent_current"] == 1 and counts["open_partner_absent"] == 0
    assert theme_sentence_nl(counts, WORDING, 2024) == (
        "In 2023 waren binnen dit thema geen acties gepland of lopend; er zijn geen nieuwe acties."
    )


def test_status_chart_counts_marks_years_without_reports_and_renders(tmp_path: Path) -> None:
    from via_pipeline.core.letter.across_years.chart import (
        render_status_chart,
        status_bars,
        status_chart_caption,
    )

    bars = status_bars(
        actions(
            ("abu", 2023, "1", KANS, "lopend", "a"),
            ("vng", 2023, "1", KANS, "lopend", "b"),
            ("abu", 2024, "1", KANS, "afgerond", "a"),
        ),
        load_themes(),
        [2022, 2023, 2024],
    )
    assert bars.count(KANS, 2023, "lopend") == 2 and bars.count(KANS, 2024, "afgerond") == 1
    assert bars.count("begeleiding_naar_werk", 2023, "lopend") == 0
    assert bars.years_without_reports == (2022,)
    assert status_chart_caption(bars, 3) == (
        "Figuur 3. Acties per thema en jaar naar status, zoals de partners ze rapporteerden. "
        "Over 2022 rapporteerde geen partner (geen rapportages)."
    )
    path = render_status_chart(bars, tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]  # no temporary file left


def test_the_agenda_table_follows_the_theme_order_whatever_order_the_rows_come_in() -> None:
    rows = actions(
        ("abu", 2022, "1", KANS, "lopend", "a"),
        ("vng", 2022, "2", "diversiteit_op_het_werk", "gepland", "b"),
    )
    themes = load_themes()
    tables = build_progress_tables(rows, themes, ["abu", "vng"], WORDING, 2022)
    registry = pd.DataFrame(
        [{"partner_id": p, "name": p.upper(), "first_year": 2022, "last_year": None}
         for p in ("abu", "vng")]
    )  # fmt: skip
    # As a warehouse may return them: reversed.
    shuffled = tables.agenda.iloc[::-1].reset_index(drop=True)
    annex = build_progress_annex(
        2022, themes, WORDING, tables.action_progress, tables.movements, shuffled,
        partner_years_frame(registry, rows, 2022, 2022), {"abu": "ABU", "vng": "VNG"}, None,
    )  # fmt: skip
    [agenda] = [table for table in annex.workbook if table.sheet == "Agenda tot nu toe"]
    titles = {theme.code: theme.title for theme in themes}
    in_order = [titles[theme.code] for theme in sorted(themes, key=lambda t: t.order)]
    assert [row[0] for row in agenda.rows] == in_order
