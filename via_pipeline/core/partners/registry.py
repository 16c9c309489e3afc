"""The partner registry and the themes, read from config/partners.yaml and config/themes.yaml.

The number of partners is data: adding one is a config change, never a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

PARTNER_ID = re.compile(r"^[a-z][a-z0-9_]*$")
PARTNER_KINDS = (
    "employers_organisation",
    "trade_union",
    "staffing_industry",
    "municipalities",
    "education",
    "ministry",
    "implementing_agency",
    "advisory_council",
    "civil_society",
    "company",
)
REGISTRY_COLUMNS = ["partner_id", "name", "kind", "first_year", "last_year"]


@dataclass(frozen=True)
class Partner:
    partner_id: str
    name: str
    kind: str
    first_year: int
    last_year: int | None

    def takes_part_in(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Theme:
    code: str
    title: str
    order: int


def _entries(name: str, key: str, config_dir: Path) -> list[dict[str, Any]]:
    document = load_yaml(name, config_dir)
    entries = document.get(key) if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigFileError(f"{config_dir / name}: expected a list under `{key}:`")
    return entries


def load_partners(config_dir: Path = CONFIG_DIR) -> tuple[Partner, ...]:
    """The registry in file order; every entry is checked and a bad one is named."""
    path = config_dir / "partners.yaml"
    partners: list[Partner] = []
    seen: set[str] = set()
    for number, entry in enumerate(_entries("partners.yaml", "partners", config_dir), start=1):
        where = f"{path}: partner {number} ({entry.get('partner_id')!r})"
        try:
            partner = Partner(
                partner_id=str(entry["partner_id"]),
                name=str(entry["name"]).strip(),
                kind=str(entry["kind"]),
                first_year=int(entry["first_year"]),
                last_year=None if entry.get("last_year") is None else int(entry["last_year"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigFileError(
                f"{where}: needs partner_id, name, kind, first_year ({error})"
            ) from None
        if not PARTNER_ID.match(partner.partner_id):
            raise ConfigFileError(f"{where}: partner_id must be a lowercase slug like vno_ncw")
        if partner.partner_id in seen:
            raise ConfigFileError(f"{where}: partner_id appears twice")
        if partner.kind not in PARTNER_KINDS:
            raise ConfigFileError(f"{where}: kind must be one of {', '.join(PARTNER_KINDS)}")
        if not partner.name:
            raise ConfigFileError(f"{where}: name is empty")
        if partner.last_year is not None and partner.last_year < partner.first_year:
            raise ConfigFileError(f"{where}: last_year is before first_year")
        seen.add(partner.partner_id)
        partners.append(partner)
    return tuple(partners)


def load_themes(config_dir: Path = CONFIG_DIR) -> tuple[Theme, ...]:
    """The themes in their reporting order."""
    path = config_dir / "themes.yaml"
    themes: list[Theme] = []
    for number, entry in enumerate(_entries("themes.yaml", "themes", config_dir), start=1):
        try:
            themes.append(
                Theme(code=str(entry["code"]), title=str(entry["title"]), order=int(entry["order"]))
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigFileError(
                f"{path}: theme {number} needs code, title, order ({error})"
            ) from None
    if len({theme.code for theme in themes}) != len(themes):
        raise ConfigFileError(f"{path}: a theme code appears twice")
    return tuple(sorted(themes, key=lambda theme: theme.order))


def registry_frame(partners: tuple[Partner, ...]) -> pd.DataFrame:
    """Rows for partners.registry."""
    return pd.DataFrame(
        {
            "partner_id": [p.partner_id for p in partners],
            "name": [p.name for p in partners],
            "kind": [p.kind for p in partners],
            "first_year": pd.array([p.first_year for p in partners], dtype="Int64"),
            "last_year": pd.array([p.last_year for p in partners], dtype="Int64"),
        },
        columns=REGISTRY_COLUMNS,
    )
