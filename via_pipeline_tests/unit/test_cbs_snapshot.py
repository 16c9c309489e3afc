"""Guards the bundled CBS snapshot: it holds exactly the published figures listed, with their
sources, in sources.csv beside it (nothing invented, nothing dropped), in cbsodata's format."""

from __future__ import annotations

import csv
import json

import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.paths import SNAPSHOT_DIR

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
                if row[key] is not None:
                    year = int(row["Perioden"][:4])
                    figures.add((table_id, title, titles[row[group_dimension]], year, row[key]))
    return figures


def test_snapshot_holds_exactly_the_published_figures() -> None:
    with (SNAPSHOT_DIR / "sources.csv").open(encoding="utf-8") as handle:
        published = {
            (
                r["table_id"],
                r["measure"],
                r["population_group"],
                int(r["period"]),
                float(r["value"]),
            )
            for r in csv.DictReader(handle)
            if r["source"].strip()
        }
    assert _snapshot_figures() == published
    assert len(published) == 64


@pytest.mark.parametrize("table_id", ["82809NED", "85456NED"])
def test_snapshot_has_every_entity_set_and_code_list(table_id: str) -> None:
    present = {path.stem for path in (SNAPSHOT_DIR / table_id).glob("*.json")}
    dimensions = {p["Key"] for p in _value(table_id, "DataProperties") if "Dimension" in p["Type"]}
    assert ENTITY_SETS | dimensions == present
    assert _value(table_id, "TableInfos")[0]["Identifier"] == table_id


def test_readme_names_the_unconfirmed_keys_and_the_generation_file() -> None:
    readme = (SNAPSHOT_DIR / "README.md").read_text(encoding="utf-8")
    assert "not confirmed" in readme
    assert "cbs_unemployment_by_generation_2013_2021.csv" in readme
