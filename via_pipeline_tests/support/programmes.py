"""Test configs for programmes: the shipped config folder copied, with programmes.yaml changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from via_pipeline.core.settings.paths import CONFIG_DIR

# Themes a test config gives statushouders instead of the three VIA themes.
STATUSHOUDERS_OWN_THEMES = [
    {"code": "taal_en_werk", "title": "Taal en werk tegelijk", "order": 1},
    {
        "code": "werkgevers_statushouders",
        "title": "Werkgevers die statushouders aannemen",
        "order": 2,
    },
]


def config_copy(target: Path) -> Path:
    """A copy of via_pipeline/config/ under target (returned), to change one file in."""
    folder = target / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


def programmes_document(config_dir: Path = CONFIG_DIR) -> dict[str, object]:
    document = yaml.safe_load((config_dir / "programmes.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def write_programmes(config_dir: Path, document: dict[str, object]) -> Path:
    path = config_dir / "programmes.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_own_statushouders_themes(target: Path) -> Path:
    """A config folder where statushouders has its own two themes (the VIA themes stay VIA's)."""
    folder = config_copy(target)
    document = programmes_document(folder)
    entries = document["programmes"]
    assert isinstance(entries, list)
    for entry in entries:
        if entry["code"] == "statushouders":
            entry["themes"] = STATUSHOUDERS_OWN_THEMES
    write_programmes(folder, document)
    return folder
