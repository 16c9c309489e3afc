"""Revisions of a sent letter on both engines: a sent figure CBS revised gets its row in
letter.revisions (values, versions, cause), its run-output line, a warning when large, and
the next year's annex its section "Herzieningen sinds de vorige brief"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline.core.letter.config import load_key_figure_config, load_themes
from via_pipeline.core.letter.document import Paragraph
from via_pipeline.core.letter.releases.approve import ApprovalRequest, BuildFacts, approve
from via_pipeline.core.letter.releases.report import annex_revisions, sent_letter_lines
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.letter import (
    action,
    gap_rows,
    submission,
    write_actions,
    write_cbs_table,
    write_gaps,
    write_submissions,
)
from via_pipeline_tests.support.releases import RUN, record_build

CONFIG = load_key_figure_config()
LABEL = "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde"
LINE = (
    f"letter 2022 (verzonden 2026-12-03): {LABEL}, 2022: 2,9 → 3,3 "
    "(CBS 85456NED herzien op 1 maart 2024; 2022 was voorlopig, nu definitief)"
)


def _cbs_version(store: WarehouseStore, modified: datetime) -> None:
    write_cbs_table(store, modified=modified)
    with store.transaction() as conn:
        conn.execute(
            sa.text("UPDATE cbs.tables SET source_version = :v WHERE table_id = '85456NED'"),
            {"v": f"modified:{modified.isoformat()}"},
        )


def _sent_2022(store: WarehouseStore, data_dir: Path) -> None:
    _cbs_version(store, datetime(2023, 11, 27, 2))
    write_gaps(
        store,
        gap_rows("85456NED", "outside_europe_origin", {2022: (6.4, 3.5)}, provisional_years=[2022]),
    )
    record_build(store, data_dir, 2022)
    approve(
        store,
        ApprovalRequest(2022, "J. Jansen"),
        BuildFacts(RUN, None),
        CONFIG,
        data_dir,
        data_dir / "output",
        now=datetime(2026, 12, 3, 14, 2, tzinfo=UTC),
    )


def test_no_revision_no_row_and_one_sentence(store: WarehouseStore, tmp_path: Path) -> None:
    assert annex_revisions(store, CONFIG, 2022).section is None  # nothing sent before 2022
    _sent_2022(store, tmp_path)
    found = annex_revisions(store, CONFIG, 2022)
    assert (found.own, found.warnings, found.section) == ([], [], None)
    assert store.count("letter.revisions") == 0
    section = annex_revisions(store, CONFIG, 2023).section
    assert section is not None
    assert section.heading == "Herzieningen sinds de vorige brief"
    assert section.blocks == (
        Paragraph(
            "Sinds de brief over 2022 (verzonden op 3 december 2026) is geen van de daarin "
            "genoemde cijfers gewijzigd."
        ),
    )
    assert sent_letter_lines(store, 2022) == [
        "letter 2022 sent (release 1, 2026-12-03, by J. Jansen): 0 figures revised since"
    ]


def test_a_cbs_revision_of_a_sent_figure(store: WarehouseStore, tmp_path: Path) -> None:
    _sent_2022(store, tmp_path)
    # CBS revises 85456NED: Buiten Europa 2022 6.4 -> 6.8, and 2022 is final now.
    _cbs_version(store, datetime(2024, 3, 1, 2))
    write_gaps(store, gap_rows("85456NED", "outside_europe_origin", {2022: (6.8, 3.5)}))
    found = annex_revisions(store, CONFIG, 2022)
    assert [r.line() for r in found.own] == [LINE]
    assert found.warnings == [
        f"warning: {LINE}: revised by 0.4 pp, at least revision_warning_pp "
        "(0.3 pp in config/monitor.yaml)"
    ]
    (row,) = store.read_table("letter.revisions").to_dict("records")
    assert (row["reporting_year"], row["release_number"], row["period"]) == (2022, 1, 2022)
    assert (row["figure_key"], row["figure_label"]) == (
        "werkloosheid_buiten_europa_vs_bevolking",
        LABEL,
    )
    assert row["sent_value"] == pytest.approx(2.9)
    assert row["current_value"] == pytest.approx(3.3)
    assert row["sent_source_version"] == "modified:2023-11-27T02:00:00"
    assert row["current_source_version"] == "modified:2024-03-01T02:00:00"
    assert row["cause"] == "CBS 85456NED herzien op 1 maart 2024; 2022 was voorlopig, nu definitief"
    first_seen = row["detected_at"]
    # Found again on the next build: the same row, first seen when it was first seen.
    annex_revisions(store, CONFIG, 2022)
    assert store.read_table("letter.revisions")["detected_at"].tolist() == [first_seen]
    assert sent_letter_lines(store, 2022) == [
        LINE,
        "letter 2022 sent (release 1, 2026-12-03, by J. Jansen): 1 figure revised since",
        found.warnings[0],
    ]
    # The next year's annex lists it, with both values and the reason.
    section = annex_revisions(store, CONFIG, 2023).section
    assert section is not None
    assert [block.text for block in section.blocks if isinstance(block, Paragraph)] == [
        "Sinds de brief over 2022 (verzonden op 3 december 2026) is één daarin genoemd cijfer "
        "gewijzigd.",
        f"{LABEL}, 2022: in de vorige brief 2,9 procentpunten, nu 3,3 procentpunten. Reden: CBS "
        "85456NED herzien op 1 maart 2024; 2022 was voorlopig, nu definitief.",
    ]


def test_a_partners_new_file_revises_its_themes_count(
    store: WarehouseStore, tmp_path: Path
) -> None:
    theme = load_themes()[0]
    first = submission(
        "abu", 2022, action_count=2, received_at=datetime(2023, 3, 1, 10), sha="3b" * 32
    )
    write_submissions(store, [first])
    write_actions(
        store,
        [
            {**action("abu", 2022, f"ABU-0{n}", theme.code), "submission_sha256": first["sha256"]}
            for n in (1, 2)
        ],
    )
    _sent_2022(store, tmp_path)
    # ABU's corrected file of 2022 arrives after the letter: three actions in the theme.
    second = submission(
        "abu", 2022, action_count=3, received_at=datetime(2027, 1, 15, 9), sha="c7" * 32
    )
    write_submissions(store, [{**first, "is_current": False}, second])
    write_actions(
        store,
        [
            {**action("abu", 2022, f"ABU-0{n}", theme.code), "submission_sha256": second["sha256"]}
            for n in (1, 2, 3)
        ],
    )
    found = annex_revisions(store, CONFIG, 2022)
    (revision,) = found.own
    assert revision.line() == (
        f"letter 2022 (verzonden 2026-12-03): Acties binnen het thema {theme.title}, 2022: "
        "2 → 3 (nieuwe versie van abu_2022.csv (ontvangen op 15 januari 2027))"
    )
    assert revision.sent_source_version == f"abu_2022.csv@{str(first['sha256'])[:12]}"
    assert revision.current_source_version == f"abu_2022.csv@{str(second['sha256'])[:12]}"
    assert found.warnings == []  # counts are not gaps: no pp warning
    section = annex_revisions(store, CONFIG, 2023).section
    assert section is not None
    assert section.blocks[1] == Paragraph(
        f"Acties binnen het thema {theme.title}, 2022: in de vorige brief 2, nu 3. Reden: nieuwe "
        "versie van abu_2022.csv (ontvangen op 15 januari 2027)."
    )
