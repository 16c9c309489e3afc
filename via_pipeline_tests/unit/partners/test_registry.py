"""Guards the partner registry and themes config: the brief's 21 ids, valid entries, bad config named."""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.partners.registry import load_partners, load_themes, registry_frame
from via_pipeline.core.settings.config import ConfigFileError

BRIEF_IDS = {
    "abu", "awvn", "cnv_jongeren", "divosa", "fnv", "g4", "g40", "mbo_raad", "nbbu", "ocw", "randstad",
    "sbb", "sam", "ser", "uaf", "uwv", "vereniging_hogescholen", "vng", "vno_ncw", "vluchtelingenwerk", "szw",
}  # fmt: skip


def test_registry_holds_the_brief_partners() -> None:
    partners = load_partners()
    assert {p.partner_id for p in partners} == BRIEF_IDS
    assert len(partners) == 21
    assert all(p.first_year == 2022 and p.last_year is None for p in partners)
    assert next(p for p in partners if p.partner_id == "szw").name.startswith(
        "Ministerie van Sociale Zaken"
    )


def test_registry_frame_matches_the_table_columns() -> None:
    frame = registry_frame(load_partners())
    assert list(frame.columns) == ["partner_id", "name", "kind", "first_year", "last_year"]
    assert frame["last_year"].isna().all()


def test_themes_in_letter_order() -> None:
    assert [t.code for t in load_themes()] == [
        "diversiteit_op_het_werk",
        "kans_op_baan_of_stage",
        "begeleiding_naar_werk",
    ]


def test_a_partner_leaving_is_a_config_change(tmp_path: Path) -> None:
    (tmp_path / "partners.yaml").write_text(
        "partners:\n  - {partner_id: abu, name: ABU, kind: staffing_industry, first_year: 2022, last_year: 2023}\n",
        encoding="utf-8",
    )
    (partner,) = load_partners(tmp_path)
    assert partner.takes_part_in(2023) and not partner.takes_part_in(2024)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{partner_id: ABU, name: x, kind: company, first_year: 2022}", "lowercase slug"),
        ("{partner_id: abu, name: x, kind: club, first_year: 2022}", "kind must be one of"),
        ("{partner_id: abu, name: x, kind: company}", "needs partner_id"),
        (
            "{partner_id: abu, name: x, kind: company, first_year: 2023, last_year: 2022}",
            "last_year is before",
        ),
    ],
)
def test_bad_registry_entries_are_named(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "partners.yaml").write_text(f"partners:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=message) as raised:
        load_partners(tmp_path)
    assert "partners.yaml: partner 1" in str(raised.value)
