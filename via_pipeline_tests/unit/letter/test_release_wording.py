"""The wording of sent letters and revisions, without a warehouse: figure values as shown, the
revisions section, warnings, the sent-files report and the warning threshold's config."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from via_pipeline.core.letter.config import load_key_figure_config
from via_pipeline.core.letter.document import Paragraph
from via_pipeline.core.letter.releases.figures import shown
from via_pipeline.core.letter.releases.records import Release
from via_pipeline.core.letter.releases.report import revision_warning_pp, warning_lines
from via_pipeline.core.letter.releases.revisions import Revision
from via_pipeline.core.letter.releases.section import revisions_section
from via_pipeline.core.letter.releases.verify import Verification
from via_pipeline.core.monitor.plausibility import load_revision_warning_pp

CONFIG = load_key_figure_config()
RELEASE = Release(
    reporting_year=2022,
    release_number=1,
    approved_at=datetime(2026, 12, 3, 14, 2),
    approved_by="J. Jansen",
    note=None,
    supersede_reason=None,
    run_id="3f24ab12",
    code_version="c",
    config_version="k",
    sent_dir="/data/sent/2022",
)


def revision(key: str, label: str, sent: float | None, now: float | None) -> Revision:
    return Revision(
        RELEASE,
        key,
        label,
        2022,
        sent,
        now,
        "v1",
        "v2",
        "CBS 85456NED herzien op 1 maart 2024",
        datetime(2026, 12, 4),
        "unemployment_rate",
    )


def test_values_as_shown() -> None:
    assert shown("werkloosheid_buiten_europa_vs_bevolking", 2.94) == "2,9"
    assert shown("werkloosheid_buiten_europa_vs_bevolking", None) == "n.b."
    assert shown("acties:kans_op_baan_of_stage", 1234.0) == "1.234"


def test_no_section_without_an_earlier_letter() -> None:
    assert revisions_section(None, [], CONFIG) is None


def test_a_figure_that_became_available_and_a_favourable_gap() -> None:
    found = [
        revision("werkloosheid_buiten_europa_vs_bevolking", "Werkloosheid", None, 3.3),
        revision("werkloosheid_niet_westers_vs_bevolking", "Niet-westers", 1.0, -0.4),
    ]
    section = revisions_section(RELEASE, found, CONFIG)
    assert section is not None
    assert section.blocks == (
        Paragraph(
            "Sinds de brief over 2022 (verzonden op 3 december 2026) zijn 2 daarin genoemde "
            "cijfers gewijzigd."
        ),
        Paragraph(
            "Niet-westers, 2022: in de vorige brief 1,0 procentpunt, nu 0,4 procentpunten, in het "
            "voordeel van de eerstgenoemde groep. Reden: CBS 85456NED herzien op 1 maart 2024."
        ),
        Paragraph(
            "Werkloosheid, 2022: in de vorige brief niet beschikbaar, nu 3,3 procentpunten. "
            "Reden: CBS 85456NED herzien op 1 maart 2024."
        ),
    )
    # No minus sign in the prose; the operator's line keeps the sign.
    assert (
        found[1]
        .line()
        .endswith("Niet-westers, 2022: 1,0 → -0,4 (CBS 85456NED herzien op 1 maart 2024)")
    )
    assert warning_lines(found, 0.3) == [
        f"warning: {found[1].line()}: revised by 1.4 pp, at least revision_warning_pp "
        "(0.3 pp in config/monitor.yaml)"
    ]
    assert warning_lines(found, 1.5) == []


def test_the_sent_files_report_names_each_file() -> None:
    report = Verification(RELEASE, ("a.docx",), ("b.png",), (), 3)
    assert not report.intact
    assert report.lines() == [
        "release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen: 2 file(s) differ from "
        "what was sent",
        "changed: /data/sent/2022/a.docx (its SHA-256 differs from the one sent)",
        "missing: /data/sent/2022/b.png",
    ]


def test_the_warning_threshold_is_the_plausibility_blocks() -> None:
    assert revision_warning_pp() == 0.3  # the shipped config/monitor.yaml
    # One key for both: the plausibility block's (read and checked there).
    assert revision_warning_pp() == load_revision_warning_pp()


def test_the_plan_sees_the_letters_sent_before_the_year(tmp_path: Path) -> None:
    from via_pipeline.core.letter.releases.files import sent_version

    before = {year: sent_version(tmp_path, year) for year in (2022, 2023)}
    sent = tmp_path / "sent" / "2022"
    sent.mkdir(parents=True)
    (sent / "voortgang_via_2022_bijlage.md").write_text("# Bijlage\n", encoding="utf-8")
    (sent / ".staging-leftover").write_text("x", encoding="utf-8")
    # Approving 2022 changes what the 2023 annex is built from, not the 2022 one.
    assert sent_version(tmp_path, 2022) == before[2022]
    assert sent_version(tmp_path, 2023) != before[2023]
    later = sent_version(tmp_path, 2023)
    (sent / "release-2").mkdir()
    (sent / "release-2" / "voortgang_via_2022_bijlage.md").write_text("# B\n", encoding="utf-8")
    assert sent_version(tmp_path, 2023) != later
