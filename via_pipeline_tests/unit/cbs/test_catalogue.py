"""Guards the CBS table catalogue: the shipped YAML loads, and a wrong edit fails on load with
the file, the table and the entry named instead of failing deep inside an ingest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.population_groups import load_population_groups
from via_pipeline.core.cbs.titles import normalise_key, normalise_title
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline.core.settings.paths import CONFIG_DIR


def test_shipped_catalogue() -> None:
    catalogue = load_catalogue()
    assert [t.table_id for t in catalogue.tables] == ["82809NED", "85456NED"]
    old = catalogue.table("82809NED")
    assert (old.first_year, old.last_year) == (2003, 2021)
    assert [m.indicator for m in old.measures] == ["unemployment_rate", "net_participation_rate"]
    assert {g.group for g in old.groups} == {
        "total",
        "dutch_background",
        "migration_background",
        "western",
        "non_western",
    }
    new = catalogue.table("85456NED")
    assert (new.first_year, new.last_year) == (2013, None)
    # The real 85456NED: groups by Herkomstland; Startkwalificatie and Geboorteland (ouders)
    # are not named, so they are held at their totals by the total rule.
    assert new.group_dimension == "Herkomstland"
    assert [f.dimension for f in new.fixed] == ["Geslacht"]
    assert [m.title for m in new.measures] == [
        "Werkloosheidspercentage",
        "Netto arbeidsparticipatie",
    ]
    assert {g.group for g in new.groups} == {
        "total",
        "netherlands_origin",
        "europe_origin",
        "outside_europe_origin",
    }
    assert catalogue.indicator("unemployment_rate").unit == "percent"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Werkloosheidspercentage", "werkloosheidspercentage"),
        ("  Totaal  mannen en\tvrouwen ", "totaalmannenenvrouwen"),
        ("Netto arbeidsparticipatie", "nettoarbeidsparticipatie"),
        ("Nettoarbeidsparticipatie", "nettoarbeidsparticipatie"),
        ("netto-arbeidsparticipatie", "nettoarbeidsparticipatie"),
        ("Europa (exclusief Nederland)", "europaexclusiefnederland"),
        ("Geboorteland (ouders)", "geboortelandouders"),
        ("Indonesië", "indonesië"),
        (None, ""),
    ],
)
def test_normalise_title(raw: str | None, normal: str) -> None:
    assert normalise_title(raw) == normal


def test_normalise_key_strips_cbs_padding() -> None:
    assert normalise_key("T001038   ") == "T001038"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("cbs_tables.yaml", "population_groups.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "group: western",
            "group: westers",
            "group 'westers' is not declared in population_groups.yaml",
        ),
        (
            "      - title: Netto arbeidsparticipatie\n        indicator: net_participation_rate",
            "      - title: Netto arbeidsparticipatie\n        indicator: unemployment_rate",
            "table 82809NED: two measures map to the same indicator",
        ),
        ("  - table_id: 85456NED", "  - table_id: 82809NED", "listed twice: 82809NED"),
        ("first_year: 2003", "first_year: soon", "table 82809NED: `first_year` must be a year"),
        (
            '        key: "52052"\n        title: 15 tot 75 jaar\n',
            "",
            "table 82809NED, fixed entry 2: give the total's `key` or `title`",
        ),
    ],
)
def test_bad_catalogue_edits_are_named(config_dir: Path, old: str, new: str, message: str) -> None:
    path = config_dir / "cbs_tables.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        load_catalogue(config_dir)
    assert message in str(caught.value)
    assert "cbs_tables.yaml" in str(caught.value)


def test_population_groups_yaml_is_the_one_place_of_the_wording() -> None:
    """Every group and indicator has its table label and the letter's prose; the letter and the
    monitor read the same words from it."""
    from via_pipeline.core.letter.config import load_key_figure_config
    from via_pipeline.core.monitor import load_monitor_config

    declared = load_population_groups()
    group = declared.group("outside_europe_origin")
    assert group is not None
    assert group.label_nl == "Herkomst buiten Europa"
    assert group.sentence_nl == "burgers met een buiten-Europese migratieachtergrond"
    indicator = declared.indicator("unemployment_rate")
    assert indicator is not None
    assert (indicator.label_nl, indicator.sentence_nl, indicator.subject_nl) == (
        "Werkloosheidspercentage",
        "werkloosheid",
        "het werkloosheidspercentage",
    )
    letter, monitor = load_key_figure_config(), load_monitor_config()
    for g in declared.population_groups:
        assert g.label_nl and g.sentence_nl
        assert letter.group_sentence(g.code) == monitor.group_sentence(g.code) == g.sentence_nl
        assert letter.group_label(g.code) == g.label_nl
    for i in declared.indicators:
        assert letter.indicator_label(i.code) == i.label_nl
        assert monitor.indicator_subject(i.code) == i.subject_nl
    assert load_catalogue().population_groups == declared.population_groups


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    sentence_nl: burgers met een westerse migratieachtergrond\n",
            "",
            "population_groups entry 4: `sentence_nl` is required",
        ),
        (
            "    subject_nl: het werkloosheidspercentage\n",
            "",
            "indicators entry 1: `subject_nl` is required",
        ),
    ],
)
def test_missing_wording_is_named(config_dir: Path, old: str, new: str, message: str) -> None:
    path = config_dir / "population_groups.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        load_population_groups(config_dir)
    assert message in str(caught.value)
    assert "population_groups.yaml" in str(caught.value)


def test_three_spellings_of_one_measure_are_one_title() -> None:
    spellings = {
        "Netto arbeidsparticipatie",
        "Nettoarbeidsparticipatie",
        "netto-arbeidsparticipatie",
    }
    assert len({normalise_title(s) for s in spellings}) == 1
    assert normalise_title("Bruto arbeidsparticipatie") != normalise_title(
        "Netto arbeidsparticipatie"
    )
