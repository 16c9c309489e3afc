"""Each programme's letter approved on its own, on both engines (issue 27's last bullet, on issue
22's releases): the VIA and the statushouders letter of 2023 as two releases with their own files
and sent folders, each verified clean, a second approval of one refused without --supersede
while the other stands, and a statushouders count revised by a partner's new file reported as
a revision of the statushouders letter only."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from via_pipeline.core.letter.config import load_key_figure_config, load_themes
from via_pipeline.core.letter.document import Paragraph
from via_pipeline.core.letter.releases.approve import ApprovalRequest, BuildFacts, approve
from via_pipeline.core.letter.releases.records import Release, ReleaseError, every_release
from via_pipeline.core.letter.releases.report import annex_revisions, sent_letter_lines
from via_pipeline.core.letter.releases.verify import verify_letters, verify_year
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
from via_pipeline_tests.support.releases import RUN, record_build, write_statushouders_files

CONFIG = load_key_figure_config()
THEME = load_themes()[0]
VIA_FILES = [
    "gap_unemployment_rate_2023.png",  # a file with no programme's prefix: the VIA letter's
    "voortgang_via_2023_bijlage.docx",
    "voortgang_via_2023_bijlage.md",
]
WHEN = datetime(2026, 12, 3, 14, 2, tzinfo=UTC)


def _abu_file(
    sha: str, statushouders: int, received: datetime
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """ABU's 2023 file: two VIA actions and `statushouders` actions of the statushouders
    programme, all in the first theme (its submission row and its actions)."""
    row = submission("abu", 2023, action_count=2 + statushouders, received_at=received, sha=sha)
    actions = [action("abu", 2023, f"ABU-0{n}", THEME.code) for n in (1, 2)]
    actions += [
        action("abu", 2023, f"ABU-S{n}", THEME.code, programme="statushouders")
        for n in range(1, statushouders + 1)
    ]
    return row, [{**a, "submission_sha256": row["sha256"]} for a in actions]


FIRST = _abu_file("3b" * 32, 1, datetime(2024, 3, 1, 10))


def _build_2023(store: WarehouseStore, data_dir: Path) -> list[str]:
    write_submissions(store, [FIRST[0]])
    write_actions(store, FIRST[1])
    write_cbs_table(store)  # the VIA letter's key figure and its CBS gap, as built
    write_gaps(store, gap_rows("85456NED", "outside_europe_origin", {2023: (6.4, 3.5)}))
    record_build(store, data_dir, 2023)
    return write_statushouders_files(data_dir, 2023)


def _approve(
    store: WarehouseStore, data_dir: Path, programme: str | None, **request: object
) -> Release:
    return approve(
        store,
        ApprovalRequest(2023, "J. Jansen", programme=programme, **request),  # type: ignore[arg-type]
        BuildFacts(RUN, None),
        CONFIG,
        data_dir,
        data_dir / "output",
        now=WHEN,
    )


def _files(store: WarehouseStore, programme: str) -> list[str]:
    rows = store.read_table("letter.release_files", {"programme": programme})
    return sorted(rows["path"])


@pytest.mark.parametrize("first", ["statushouders", "via"])
def test_each_programme_is_approved_on_its_own(
    store: WarehouseStore, tmp_path: Path, first: str
) -> None:
    statushouders_files = _build_2023(store, tmp_path)
    order = [first, *({"statushouders", "via"} - {first})]
    sent = {code: _approve(store, tmp_path, None if code == "via" else code) for code in order}
    year_dir = tmp_path / "sent" / "2023"
    assert sent["via"].sent_dir == str(year_dir)
    assert sent["statushouders"].sent_dir == str(year_dir / "statushouders")
    assert sent["statushouders"].describe() == (
        "release 1 of 2023 statushouders, approved 2026-12-03 14:02 UTC by J. Jansen"
    )
    assert [(r.programme, r.reporting_year, r.release_number) for r in every_release(store)] == [
        ("statushouders", 2023, 1),
        ("via", 2023, 1),
    ]
    # Each release records only its own files, and its folder holds only those.
    assert _files(store, "via") == VIA_FILES
    assert _files(store, "statushouders") == statushouders_files
    assert sorted(p.name for p in year_dir.iterdir()) == sorted([*VIA_FILES, "statushouders"])
    assert sorted(p.name for p in (year_dir / "statushouders").iterdir()) == statushouders_files
    for path in (year_dir / "statushouders").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
        assert path.read_bytes() == (tmp_path / "output" / "2023" / path.name).read_bytes()
    # The figures: VIA's key figure and its 2 actions; statushouders' 1 action, no CBS figure.
    figures = store.read_table("letter.release_figures")
    counted = figures[figures["figure_key"] == f"acties:{THEME.code}"]
    assert sorted(zip(counted["programme"], counted["value"], strict=True)) == [
        ("statushouders", 1.0),
        ("via", 2.0),
    ]
    own = figures[figures["programme"] == "statushouders"]
    assert all(key.startswith("acties:") for key in own["figure_key"])
    assert len(own) == len(load_themes())

    # Both verify clean: the statushouders folder is not "added" to the VIA letter.
    assert [v.lines() for v in verify_letters(store, 2023)] == [
        [
            "release 1 of 2023 statushouders, approved 2026-12-03 14:02 UTC by J. Jansen: all 3 "
            f"files in {year_dir / 'statushouders'} are as sent"
        ],
        [
            "release 1 of 2023, approved 2026-12-03 14:02 UTC by J. Jansen: all 3 files in "
            f"{year_dir} are as sent"
        ],
    ]

    # A second approval of the statushouders letter needs --supersede; VIA's stands as it is.
    with pytest.raises(ReleaseError) as twice:
        _approve(store, tmp_path, "statushouders")
    assert str(twice.value) == (
        "the statushouders letter of reporting year 2023 was approved already (release 1 of "
        "2023 statushouders, approved 2026-12-03 14:02 UTC by J. Jansen): give --supersede "
        "REASON to send a corrected release (the sent files stay as they are)"
    )
    erratum = _approve(store, tmp_path, "statushouders", supersede_reason="erratum")
    assert erratum.release_number == 2
    assert erratum.sent_dir == str(year_dir / "statushouders" / "release-2")
    assert [(r.programme, r.release_number) for r in every_release(store)] == [
        ("statushouders", 1),
        ("statushouders", 2),
        ("via", 1),
    ]
    via = verify_year(store, 2023)
    assert via is not None and via.intact and via.release.release_number == 1
    assert all(v.intact for v in verify_letters(store, 2023))


def test_a_programme_not_running_in_the_year_is_refused(
    store: WarehouseStore, tmp_path: Path
) -> None:
    record_build(store, tmp_path, 2022)
    for code, reason in [
        (
            "statushouders",
            "--programme statushouders: Statushouders aan het werk does not run in 2022 "
            "(config/programmes.yaml: vanaf 2023), so it has no letter of that year",
        ),
        (
            "nieuwkomers",
            "--programme nieuwkomers: not a programme of config/programmes.yaml (via, statushouders)",
        ),
    ]:
        with pytest.raises(ReleaseError) as refused:
            approve(
                store,
                ApprovalRequest(2022, "J. Jansen", programme=code),
                BuildFacts(RUN, None),
                CONFIG,
                tmp_path,
                tmp_path / "output",
            )
        assert str(refused.value) == reason
    assert every_release(store) == []
    assert not (tmp_path / "sent").exists()


def test_a_statushouders_count_revised_by_a_new_file_revises_that_letter_only(
    store: WarehouseStore, tmp_path: Path
) -> None:
    _build_2023(store, tmp_path)
    _approve(store, tmp_path, None)
    _approve(store, tmp_path, "statushouders")
    # ABU's corrected 2023 file arrives after the letters: a second statushouders action.
    second, actions = _abu_file("c7" * 32, 2, datetime(2027, 1, 15, 9))
    write_submissions(store, [{**FIRST[0], "is_current": False}, second])
    write_actions(store, actions)
    found = annex_revisions(store, CONFIG, 2023)
    line = (
        f"letter 2023 statushouders (verzonden 2026-12-03): Acties binnen het thema {THEME.title}, "
        "2023: 1 → 2 (nieuwe versie van abu_2023.csv (ontvangen op 15 januari 2027))"
    )
    assert [r.line() for r in found.own] == [line]
    rows = store.read_table("letter.revisions")
    assert rows[["programme", "reporting_year", "figure_key"]].values.tolist() == [
        ["statushouders", 2023, f"acties:{THEME.code}"]
    ]
    assert (rows.iloc[0]["sent_value"], rows.iloc[0]["current_value"]) == (1.0, 2.0)
    assert sent_letter_lines(store, 2023) == [
        "letter 2023 sent (release 1, 2026-12-03, by J. Jansen): 0 figures revised since",
        line,
        "letter 2023 statushouders sent (release 1, 2026-12-03, by J. Jansen): 1 figure "
        "revised since",
    ]
    # The 2024 letters: each its own programme's section on its previous letter.
    sections = annex_revisions(store, CONFIG, 2024).sections
    assert sorted(sections) == ["statushouders", "via"]
    assert sections["via"].blocks == (
        Paragraph(
            "Sinds de brief over 2023 (verzonden op 3 december 2026) is geen van de daarin "
            "genoemde cijfers gewijzigd."
        ),
    )
    assert sections["statushouders"].blocks[1] == Paragraph(
        f"Acties binnen het thema {THEME.title}, 2023: in de vorige brief 1, nu 2. Reden: "
        "nieuwe versie van abu_2023.csv (ontvangen op 15 januari 2027)."
    )
