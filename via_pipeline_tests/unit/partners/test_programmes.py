"""config/programmes.yaml: the two programmes of the 2023 cover note, and bad config named."""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.partners.programmes import load_programmes
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline_tests.support.programmes import (
    config_copy,
    programmes_document,
    with_own_statushouders_themes,
    write_programmes,
)

VIA_THEMES = ("diversiteit_op_het_werk", "kans_op_baan_of_stage", "begeleiding_naar_werk")


def test_shipped_programmes() -> None:
    programmes = load_programmes()
    assert programmes.codes == ("via", "statushouders")
    assert programmes.default == "via"
    via, statushouders = programmes.programmes
    assert (via.title, via.first_year, via.last_year, via.file_prefix) == (
        "Werkagenda VIA",
        2022,
        None,
        "voortgang_via_",
    )
    assert (statushouders.title, statushouders.first_year, statushouders.file_prefix) == (
        "Statushouders aan het werk",
        2023,
        "voortgang_statushouders_",
    )
    assert via.theme_codes == VIA_THEMES and statushouders.theme_codes == VIA_THEMES
    assert via.cbs_key_figures == "key_figures.yaml" and statushouders.cbs_key_figures is None
    assert [p.code for p in programmes.running_in(2022)] == ["via"]
    assert [p.code for p in programmes.running_in(2024)] == ["via", "statushouders"]
    assert statushouders.years_text() == "vanaf 2023"


def test_own_themes_and_a_new_programme_are_config_only(tmp_path: Path) -> None:
    folder = with_own_statushouders_themes(tmp_path)
    document = programmes_document(folder)
    entries = document["programmes"]
    assert isinstance(entries, list)
    entries.append(
        {"code": "jongeren", "title": "Jongeren aan de slag", "first_year": 2025,
         "last_year": 2026, "file_prefix": "voortgang_jongeren_", "cbs_key_figures": None}
    )  # fmt: skip
    write_programmes(folder, document)
    programmes = load_programmes(folder)
    assert programmes.get("statushouders").theme_codes == (
        "taal_en_werk",
        "werkgevers_statushouders",
    )
    assert programmes.get("via").theme_codes == VIA_THEMES
    assert [p.code for p in programmes.running_in(2027)] == ["via", "statushouders"]
    assert programmes.get("jongeren").years_text() == "2025 tot en met 2026"
    assert [t.code for t in programmes.all_themes()] == [
        *VIA_THEMES,
        "taal_en_werk",
        "werkgevers_statushouders",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_year": "2023"}, "programmes[2] (statushouders).first_year: must be a year"),
        ({"last_year": 2021}, "programmes[2] (statushouders).last_year: 2021 is before first_year"),
        ({"file_prefix": "statushouders"}, "programmes[2] (statushouders).file_prefix: must be"),
        ({"file_prefix": "voortgang_via_"}, "file_prefix 'voortgang_via_' appears twice"),
        ({"code": "via"}, "code 'via' appears twice"),
        ({"code": "Status Houders"}, ".code: must be a lowercase slug"),
        ({"title": ""}, "programmes[2] (statushouders).title: missing or empty"),
        ({"themes": []}, "programmes[2] (statushouders).themes: expected a non-empty list"),
        ({"themes": [{"code": "x"}]}, "programmes[2] (statushouders).themes[1].title: missing"),
        ({"cbs_key_figures": "eigen.yaml"}, ".cbs_key_figures: only key_figures.yaml"),
    ],
)
def test_bad_entry_names_file_and_key(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    folder = config_copy(tmp_path)
    document = programmes_document(folder)
    entries = document["programmes"]
    assert isinstance(entries, list)
    entries[1].update(change)
    path = write_programmes(folder, document)
    with pytest.raises(ConfigFileError) as raised:
        load_programmes(folder)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_unknown_default_is_named(tmp_path: Path) -> None:
    folder = config_copy(tmp_path)
    document = programmes_document(folder)
    document["default"] = "vía"
    path = write_programmes(folder, document)
    with pytest.raises(ConfigFileError, match="default: must be one of the programme codes"):
        load_programmes(folder)
    assert path.is_file()
