"""Guards the bundled CBS snapshot: it holds exactly the published figures listed, with their
sources, in sources.csv beside it (nothing invented, nothing dropped), in cbsodata's format."""

from __future__ import annotations

import csv
import json

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.titles import normalise_title
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

ENTITY_SETS = {"TableInfos", "DataProperties", "CategoryGroups", "TypedDataSet", "Perioden"}


def _value(table_id: str, entity: str) -> list[dict]:
    document = json.loads((SNAPSHOT_DIR / table_id / f"{entity}.json").read_text(encoding="utf-8"))
    assert set(document) == {"odata.metadata", "value"}
    return document["value"]


def _snapshot_figures() -> set[tuple[str, str, str, int, float]]:
    figures = set()
    for table_id in ("82809NED", "85456NED"):
        properties = _value(table_id, "DataProperties")
        topics = {p["Key"]: p["Title"] for p in properties if p["Type"] == "Topic"}
        group_dimension = load_catalogue().table(table_id).group_dimension
        titles = {c["Key"]: c["Title"] for c in _value(table_id, group_dimension)}
        for row in _value(table_id, "TypedDataSet"):
            for key, title in topics.items():
                if row.get(key) is not None:
                    year = int(row["Perioden"][:4])
                    group = titles[row[group_dimension]]
                    figures.add((table_id, normalise_title(title), group, year, row[key]))
    return figures


def test_snapshot_holds_exactly_the_published_figures() -> None:
    with (SNAPSHOT_DIR / "sources.csv").open(encoding="utf-8") as handle:
        published = {
            (
                r["table_id"],
                normalise_title(r["measure"]),
                r["population_group"],
                int(r["period"]),
                float(r["value"]),
            )
            for r in csv.DictReader(handle)
            if r["source"].strip()
        }
    assert _snapshot_figures() == published
    assert len(published) == 76


@pytest.mark.parametrize("table_id", ["82809NED", "85456NED"])
def test_snapshot_has_every_entity_set_and_code_list(table_id: str) -> None:
    present = {path.stem for path in (SNAPSHOT_DIR / table_id).glob("*.json")}
    dimensions = {p["Key"] for p in _value(table_id, "DataProperties") if "Dimension" in p["Type"]}
    assert ENTITY_SETS | dimensions == present
    assert _value(table_id, "TableInfos")[0]["Identifier"] == table_id


def test_snapshot_includes_every_reference_figure() -> None:
    """The 12 rows added to the reference file (Dutch background 2003-2011 and 2015, western
    and non-western 2015) are in the snapshot like every other published figure."""
    with (SNAPSHOT_DIR / "sources.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    dutch = {
        int(r["period"])
        for r in rows
        if r["population_group"] == "Nederlandse achtergrond"
        and r["measure"] == "Werkloosheidspercentage"
    }
    assert set(range(2003, 2012)) | {2015} <= dutch
    assert (
        "82809NED",
        "werkloosheidspercentage",
        "Niet-westerse migratieachtergrond",
        2015,
        15.2,
    ) in (_snapshot_figures())


def test_snapshot_has_the_real_shape() -> None:
    """85456NED as CBS publishes it: Herkomstland, Startkwalificatie, Geboorteland (ouders), no
    Leeftijd or Herkomst; titles as CBS prints them; unknown keys marked."""
    properties = _value("85456NED", "DataProperties")
    dimensions = [p["Title"] for p in properties if "Dimension" in p["Type"]]
    assert dimensions == [
        "Geslacht",
        "Startkwalificatie",
        "Geboorteland (ouders)",
        "Herkomstland",
        "Perioden",
    ]
    topics = {p["Title"]: p["Key"] for p in properties if p["Type"] == "Topic"}
    assert topics["Netto arbeidsparticipatie"] == "NettoArbeidsparticipatie_UNCONFIRMED"
    assert "Bruto arbeidsparticipatie" in topics
    herkomst = {c["Title"]: c["Key"] for c in _value("85456NED", "Herkomstland")}
    assert herkomst["Marokko"] == "H008673" and len(herkomst) == 12
    assert herkomst["Onbekend herkomstland"].startswith("UNCONFIRMED")
    old = {p["Title"]: p["Key"] for p in _value("82809NED", "DataProperties")}
    assert old["Netto arbeidsparticipatie"] == "NettoArbeidsparticipatie_24"


def test_readme_names_the_unconfirmed_keys_and_the_generation_file() -> None:
    readme = (SNAPSHOT_DIR / "README.md").read_text(encoding="utf-8")
    assert "not confirmed" in readme
    assert "cbs_unemployment_by_generation_2013_2021.csv" in readme
