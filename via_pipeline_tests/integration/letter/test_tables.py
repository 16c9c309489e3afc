"""Guards the letter tables on DuckDB and PostgreSQL: sql/build_letter_*.sql for theme progress and
partner reporting (registry membership by year, accepted/rejected files, counts), reruns that
replace only their reporting year, and key figures built from real monitor.gaps output."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from via_pipeline.core.letter.build import (
    write_key_figures,
    write_partner_reporting,
    write_theme_progress,
)
from via_pipeline.core.letter.config import load_key_figure_config, load_themes
from via_pipeline.core.monitor import load_monitor_config
from via_pipeline.core.monitor import write_gaps as build_monitor_gaps
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.letter import (
    action,
    submission,
    write_actions,
    write_cbs_table,
    write_registry,
    write_submissions,
)
from via_pipeline_tests.support.monitor_metrics import indicator_rows, indicators_frame

THEMES = load_themes()


def registry_with_changes(store: WarehouseStore) -> None:
    partners = write_registry(store).to_dict("records")
    partners.append(
        {
            "partner_id": "oud",
            "name": "Oud-partner",
            "kind": "company",
            "first_year": 2022,
            "last_year": 2022,
        }
    )
    partners.append(
        {
            "partner_id": "nieuw",
            "name": "Nieuwe partner",
            "kind": "company",
            "first_year": 2024,
            "last_year": None,
        }
    )
    write_registry(store, partners)


def test_partner_reporting_per_registry_partner(store: WarehouseStore) -> None:
    registry_with_changes(store)
    write_submissions(
        store,
        [
            # Superseded by the next one: one current file per partner-year (migration 0008).
            {
                **submission("fnv", 2023, received_at=datetime(2023, 3, 1, 10, 0)),
                "is_current": False,
            },
            submission("fnv", 2023, received_at=datetime(2023, 4, 2, 11, 30)),
            submission("abu", 2023, status="rejected", received_at=datetime(2023, 3, 5, 9, 0)),
            submission("abu", 2023, status="rejected", received_at=datetime(2023, 3, 6, 9, 0)),
            submission("vng", 2022),
        ],
    )
    write_actions(
        store,
        [action("fnv", 2023, f"a{i}", "kans_op_baan_of_stage") for i in range(3)]
        + [action("vng", 2022, "v1", "begeleiding_naar_werk")],
    )
    frame = write_partner_reporting(store, 2023)
    stored = store.read_table(
        "letter.partner_reporting", {"reporting_year": 2023, "programme": "via"}
    ).set_index("partner_id")
    assert len(stored) == 21  # oud left in 2022, nieuw joins in 2024
    assert len(frame) == 2 * 21  # via and statushouders (from 2023), each every partner
    assert "oud" not in stored.index and "nieuw" not in stored.index
    assert int(stored["has_accepted_submission"].sum()) == 1
    fnv = stored.loc["fnv"]
    assert bool(fnv["has_accepted_submission"]) is True
    assert pd.Timestamp(fnv["accepted_received_at"]) == pd.Timestamp(2023, 4, 2, 11, 30)
    assert (fnv["action_count"], fnv["rejected_submission_count"]) == (3, 0)
    assert fnv["partner_name"] == "FNV"
    abu = stored.loc["abu"]
    assert bool(abu["has_accepted_submission"]) is False and pd.isna(abu["accepted_received_at"])
    assert (abu["action_count"], abu["rejected_submission_count"]) == (0, 2)
    assert bool(stored.loc["vng", "has_accepted_submission"]) is False  # accepted for 2022 only

    in_2022 = write_partner_reporting(store, 2022).set_index("partner_id")
    assert "oud" in in_2022.index and len(in_2022) == 22  # via only: statushouders from 2023
    assert bool(in_2022.loc["vng", "has_accepted_submission"]) is True
    assert (
        len(
            store.read_table(
                "letter.partner_reporting", {"reporting_year": 2023, "programme": "via"}
            )
        )
        == 21
    )


def test_theme_progress_counts_per_theme(store: WarehouseStore) -> None:
    write_actions(
        store,
        [
            action("fnv", 2023, "1", "kans_op_baan_of_stage", "gepland", people=100, employers=3),
            action("fnv", 2023, "2", "kans_op_baan_of_stage", "afgerond", people=1200),
            action("uwv", 2023, "1", "kans_op_baan_of_stage", "afgerond"),
            action("uwv", 2023, "2", "begeleiding_naar_werk", "gestopt", employers=4),
            action("uwv", 2022, "9", "diversiteit_op_het_werk", "lopend", people=7),
        ],
    )
    write_theme_progress(store, THEMES, 2023)
    stored = store.read_table(
        "letter.theme_progress", {"reporting_year": 2023, "programme": "via"}
    ).sort_values("theme_order")
    assert list(stored["theme"]) == [theme.code for theme in THEMES]
    assert list(stored["theme_title"])[1] == "Meer kans op een baan of stage"
    rows = stored.set_index("theme")
    kans = rows.loc["kans_op_baan_of_stage"]
    assert (kans["partners_reporting"], kans["action_count"]) == (2, 3)
    assert (
        kans["actions_planned"],
        kans["actions_ongoing"],
        kans["actions_completed"],
        kans["actions_stopped"],
    ) == (1, 0, 2, 0)
    assert (kans["people_reached"], kans["employers_reached"]) == (1300, 3)
    diversity = rows.loc["diversiteit_op_het_werk"]  # only a 2022 action: zeros in 2023
    assert diversity[["partners_reporting", "action_count", "people_reached"]].tolist() == [0, 0, 0]
    assert rows.loc["begeleiding_naar_werk", "actions_stopped"] == 1


def test_rerun_replaces_only_its_year(store: WarehouseStore) -> None:
    write_actions(
        store,
        [
            action("fnv", 2022, "1", "kans_op_baan_of_stage"),
            action("fnv", 2023, "1", "kans_op_baan_of_stage"),
        ],
    )
    write_theme_progress(store, THEMES, 2022)
    write_theme_progress(store, THEMES, 2023)
    write_actions(
        store, [action("fnv", 2022, "1", "kans_op_baan_of_stage")]
    )  # 2023's action withdrawn
    write_theme_progress(store, THEMES, 2023)
    # 2022: the three themes of via; 2023: those of via and of statushouders (from 2023).
    assert store.count("letter.theme_progress") == 9
    totals = store.read(
        "SELECT reporting_year, SUM(action_count) AS n FROM letter.theme_progress GROUP BY reporting_year ORDER BY reporting_year"
    )
    assert totals["n"].astype(int).tolist() == [1, 0]


def test_key_figures_from_the_monitor_build(store: WarehouseStore) -> None:
    """The metrics issue's 2008/2022 figures, through monitor.gaps, give the letter's sentence."""
    store.replace(
        "monitor.indicators",
        indicators_frame(
            indicator_rows(
                "85456NED",
                {"total": {2008: 3.7, 2022: 3.5}, "outside_europe_origin": {2008: 6.9, 2022: 6.4}},
                provisional_years=[],
            ),
        ),
    )
    build_monitor_gaps(store, load_monitor_config())
    write_cbs_table(store, source="snapshot")
    write_key_figures(store, load_key_figure_config(), 2023)
    stored = store.read_table(
        "letter.key_figures",
        {"reporting_year": 2023, "figure_key": "werkloosheid_buiten_europa_vs_bevolking"},
    )
    assert stored.sort_values("year")["year"].tolist() == [2008, 2022]
    assert stored.sort_values("year")["value"].round(9).tolist() == [3.2, 2.9]
    assert set(stored["text_nl"]) == {
        "In 2008 was het verschil in werkloosheid tussen burgers met een buiten-Europese "
        "migratieachtergrond en het gemiddelde van de bevolking 3,2 procentpunten; anno 2022 is "
        "dat 2,9 procentpunten."
    }
    [source] = set(stored["source"])
    assert source.startswith(
        "Bron: CBS StatLine, tabel 85456NED ‘Arbeidsdeelname; herkomst’, gewijzigd op 27 november 2023."
    )
    assert "momentopname" in source
    # Statements on tables without data: rows without a value, never a made-up figure.
    everything = store.read_table("letter.key_figures", {"reporting_year": 2023})
    old_table = everything[everything["figure_key"] == "werkloosheid_niet_westers_vs_bevolking"]
    assert old_table["value"].isna().all() and old_table["year"].tolist() == [2008]
    assert "niet beschikbaar" in old_table["text_nl"].iloc[0]


@pytest.mark.parametrize("year", [2023])
def test_rerun_of_key_figures_is_stable(store: WarehouseStore, year: int) -> None:
    config = load_key_figure_config()
    first = write_key_figures(store, config, year)
    second = write_key_figures(store, config, year)
    assert store.count("letter.key_figures") == len(first) == len(second)


def test_latest_is_the_groups_last_published_year_through_the_monitor_build(
    store: WarehouseStore,
) -> None:
    """82809NED has the population average up to 2021 but non-Western figures up to 2019
    (as in the bundled snapshot): the letter quotes 2019 (7,3 - 3,4 = 3,9), says 2020 and 2021
    have no figure for these groups, and keeps the baseline 2008 as not available."""
    total = {year: 5.0 for year in range(2012, 2022)}
    total[2019] = 3.4
    store.replace(
        "monitor.indicators",
        indicators_frame(
            indicator_rows(
                "82809NED",
                {
                    "total": total,
                    "dutch_background": {2012: 4.5, 2019: 2.8},
                    "non_western": {2012: 14.1, 2016: 13.2, 2019: 7.3, 2020: None},
                },
            ),
        ),
    )
    build_monitor_gaps(store, load_monitor_config())
    write_key_figures(store, load_key_figure_config(), 2023)
    stored = store.read_table(
        "letter.key_figures",
        {"reporting_year": 2023, "figure_key": "werkloosheid_niet_westers_vs_bevolking"},
    ).sort_values("year")
    assert stored["year"].tolist() == [2008, 2019]
    assert pd.isna(stored["value"].iloc[0]) and stored["value"].iloc[1] == pytest.approx(3.9)
    [text] = set(stored["text_nl"])
    assert text.startswith("Anno 2019 is het verschil in werkloosheid tussen burgers met een ")
    assert "3,9 procentpunten; voor 2008 is geen vergelijkbaar cijfer beschikbaar" in text
    assert text.endswith("Over 2020 en 2021 bevat tabel 82809NED voor deze groepen geen cijfer.")
