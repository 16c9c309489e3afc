"""The programmes partners report on, from config/programmes.yaml (issue 27).

Each programme has its Dutch title, the reporting years it runs, its themes (by default those of
config/themes.yaml) and its letter's file prefix. A partner file's column `programma` names one;
an empty cell is the default programme. A new programme is a config entry, never code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.partners.registry import Theme, load_themes
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

PROGRAMMES_FILE = "programmes.yaml"
PROGRAMME_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
FILE_PREFIX = re.compile(r"^[a-z][a-z0-9_]*_$")
# The CBS key figures a letter can carry today: letter.key_figures, built from this file.
BUILT_KEY_FIGURES = "key_figures.yaml"


@dataclass(frozen=True)
class Programme:
    code: str
    title: str
    first_year: int
    last_year: int | None
    file_prefix: str
    themes: tuple[Theme, ...]
    cbs_key_figures: str | None

    def runs_in(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @property
    def theme_codes(self) -> tuple[str, ...]:
        return tuple(theme.code for theme in self.themes)

    def years_text(self) -> str:
        """ "vanaf 2023" or "2023 tot en met 2025", as partners read it."""
        if self.last_year is None:
            return f"vanaf {self.first_year}"
        return f"{self.first_year} tot en met {self.last_year}"


@dataclass(frozen=True)
class Programmes:
    programmes: tuple[Programme, ...]
    default: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(programme.code for programme in self.programmes)

    def get(self, code: str) -> Programme:
        for programme in self.programmes:
            if programme.code == code:
                return programme
        raise KeyError(code)

    def running_in(self, year: int) -> tuple[Programme, ...]:
        return tuple(programme for programme in self.programmes if programme.runs_in(year))

    def others(self, code: str) -> tuple[Programme, ...]:
        return tuple(programme for programme in self.programmes if programme.code != code)

    def all_themes(self) -> tuple[Theme, ...]:
        """Every programme's themes, each code once, in programme order and then theme order."""
        seen: dict[str, Theme] = {}
        for programme in self.programmes:
            for theme in programme.themes:
                seen.setdefault(theme.code, theme)
        return tuple(seen.values())


def _year(value: Any, where: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise ConfigFileError(f"{where}.{key}: must be a year like 2023, got {value!r}")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigFileError(f"{where}.{key}: missing or empty")
    return value.strip()


def _own_themes(value: Any, where: str) -> tuple[Theme, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigFileError(
            f"{where}.themes: expected a non-empty list of {{code, title, order}}"
        )
    themes: list[Theme] = []
    for number, entry in enumerate(value, start=1):
        at = f"{where}.themes[{number}]"
        if not isinstance(entry, Mapping):
            raise ConfigFileError(f"{at}: expected {{code, title, order}}")
        code = _text(entry, "code", at)
        if not PROGRAMME_CODE.match(code):
            raise ConfigFileError(f"{at}.code: must be a lowercase slug, got {code!r}")
        order = entry.get("order", number)
        if isinstance(order, bool) or not isinstance(order, int):
            raise ConfigFileError(f"{at}.order: must be a whole number, got {order!r}")
        themes.append(Theme(code=code, title=_text(entry, "title", at), order=order))
    if len({theme.code for theme in themes}) != len(themes):
        raise ConfigFileError(f"{where}.themes: a theme code appears twice")
    return tuple(sorted(themes, key=lambda theme: (theme.order, theme.code)))


def parse_programmes(
    document: Any, path: str, default_themes: Sequence[Theme], config_dir: Path
) -> Programmes:
    """Programmes from the parsed YAML; a bad entry raises ConfigFileError naming file and key."""
    if not isinstance(document, Mapping):
        raise ConfigFileError(f"{path}: expected `default:` and `programmes:`")
    entries = document.get("programmes")
    if not isinstance(entries, list) or not entries:
        raise ConfigFileError(f"{path}: programmes: expected a non-empty list")
    programmes: list[Programme] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: programmes[{number}]"
        if not isinstance(entry, Mapping):
            raise ConfigFileError(f"{where}: expected a mapping with code, title, first_year, ...")
        code = _text(entry, "code", where)
        where = f"{where} ({code})"
        if not PROGRAMME_CODE.match(code):
            raise ConfigFileError(f"{where}.code: must be a lowercase slug like statushouders")
        first_year = _year(entry.get("first_year"), where, "first_year")
        last_raw = entry.get("last_year")
        last_year = None if last_raw is None else _year(last_raw, where, "last_year")
        if last_year is not None and last_year < first_year:
            raise ConfigFileError(
                f"{where}.last_year: {last_year} is before first_year {first_year}"
            )
        prefix = _text(entry, "file_prefix", where)
        if not FILE_PREFIX.match(prefix):
            raise ConfigFileError(
                f"{where}.file_prefix: must be lowercase letters, digits and _ ending in _, "
                f"like voortgang_via_; got {prefix!r}"
            )
        key_figures = entry.get("cbs_key_figures")
        if key_figures is not None and key_figures != BUILT_KEY_FIGURES:
            raise ConfigFileError(
                f"{where}.cbs_key_figures: only {BUILT_KEY_FIGURES} (letter.key_figures) is "
                f"built so far, or null for none; got {key_figures!r}"
            )
        if key_figures is not None and not (config_dir / key_figures).is_file():
            raise ConfigFileError(f"{where}.cbs_key_figures: {config_dir / key_figures} not found")
        themes = (
            tuple(default_themes)
            if entry.get("themes") is None
            else _own_themes(entry.get("themes"), where)
        )
        programmes.append(
            Programme(
                code,
                _text(entry, "title", where),
                first_year,
                last_year,
                prefix,
                themes,
                key_figures,
            )
        )
    codes = [programme.code for programme in programmes]
    for code in codes:
        if codes.count(code) > 1:
            raise ConfigFileError(f"{path}: programmes: code {code!r} appears twice")
    prefixes = [programme.file_prefix for programme in programmes]
    for prefix in prefixes:
        if prefixes.count(prefix) > 1:
            raise ConfigFileError(f"{path}: programmes: file_prefix {prefix!r} appears twice")
    default = document.get("default")
    if default not in codes:
        raise ConfigFileError(
            f"{path}: default: must be one of the programme codes ({', '.join(codes)}), got {default!r}"
        )
    return Programmes(tuple(programmes), str(default))


def load_programmes(config_dir: Path = CONFIG_DIR) -> Programmes:
    """config/programmes.yaml, checked; themes default to config/themes.yaml."""
    return parse_programmes(
        load_yaml(PROGRAMMES_FILE, config_dir),
        str(config_dir / PROGRAMMES_FILE),
        load_themes(config_dir),
        config_dir,
    )
