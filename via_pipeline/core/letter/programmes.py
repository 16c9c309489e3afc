"""The letter per programme (issue 27): each programme running in a reporting year gets its own
slice of the letter tables and its own annex files; only its own actions count in it.

The default programme (via) keeps the letter's themes as the callers pass them (themes.yaml);
another programme has the themes config/programmes.yaml gives it (by default the same three).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from via_pipeline.core.dutch import format_integer
from via_pipeline.core.letter.config import Theme
from via_pipeline.core.partners.programmes import Programme, Programmes, load_programmes

PROGRAMME_COLUMN = "programme"

__all__ = [
    "PROGRAMME_COLUMN",
    "Programme",
    "Programmes",
    "load_programmes",
    "of_programme",
    "programme_themes",
    "separately_reported_nl",
    "slices",
    "with_programme",
]


def programme_themes(
    programme: Programme, programmes: Programmes, default_themes: Sequence[Theme]
) -> tuple[Theme, ...]:
    """The themes of the programme's letter, in letter order."""
    if programme.code == programmes.default:
        return tuple(default_themes)
    return tuple(Theme(theme.code, theme.title, theme.order) for theme in programme.themes)


def of_programme(actions: pd.DataFrame, code: str) -> pd.DataFrame:
    """The rows of partners.actions (or a letter table) of one programme."""
    return actions[actions[PROGRAMME_COLUMN] == code]


def with_programme(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """The frame with `programme` as its second column (after reporting_year), as the tables have it."""
    frame = frame.copy()
    frame.insert(1, PROGRAMME_COLUMN, code)
    return frame


def slices(parts: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """The programmes' slices of a table as one frame; no rows (the table's columns) when no
    programme runs in the year."""
    if not parts:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(parts, ignore_index=True)


def _count(number: int, one: str, many: str) -> str:
    return f"{format_integer(number)} {one if number == 1 else many}"


def separately_reported_nl(
    actions: pd.DataFrame, programme: Programme, programmes: Programmes, reporting_year: int
) -> str | None:
    """One sentence for the programme's letter on the actions of the other programmes that year:
    "Over 2023 rapporteerde 1 partner daarnaast 1 actie voor Statushouders aan het werk; die
    acties worden in een aparte voortgangsbrief gerapporteerd en tellen hier niet mee."
    None when the other programmes have no action that year."""
    parts: list[str] = []
    partners: set[str] = set()
    total = 0
    for other in programmes.others(programme.code):
        rows = of_programme(actions, other.code)
        if not rows.empty:
            parts.append(f"{_count(len(rows), 'actie', 'acties')} voor {other.title}")
            partners |= set(rows["partner_id"].astype(str))
            total += len(rows)
    if not parts:
        return None
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"
    verb = "rapporteerde" if len(partners) == 1 else "rapporteerden"
    many = total != 1
    return (
        f"Over {reporting_year} {verb} {_count(len(partners), 'partner', 'partners')} daarnaast "
        f"{listed}; {'die acties worden' if many else 'die actie wordt'} in een aparte "
        f"voortgangsbrief gerapporteerd en {'tellen' if many else 'telt'} hier niet mee."
    )
