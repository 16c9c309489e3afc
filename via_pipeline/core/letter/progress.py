"""The letter's partner tables: progress per theme and which partners reported.

The aggregates come from sql/build_letter_*.sql; here they are completed (every theme of the
letter gets a row, with zeros when nobody reported on it) and summarised in Dutch sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from via_pipeline.core.dutch import format_integer
from via_pipeline.core.letter.config import Theme

THEME_PROGRESS_COLUMNS = [
    "reporting_year",
    "theme",
    "theme_title",
    "theme_order",
    "partners_reporting",
    "action_count",
    "actions_planned",
    "actions_ongoing",
    "actions_completed",
    "actions_stopped",
    "people_reached",
    "employers_reached",
]
THEME_COUNT_COLUMNS = THEME_PROGRESS_COLUMNS[4:]
PARTNER_REPORTING_COLUMNS = [
    "reporting_year",
    "partner_id",
    "partner_name",
    "has_accepted_submission",
    "accepted_received_at",
    "action_count",
    "rejected_submission_count",
]
# Themes a partner file named that the letter does not know sort after the letter's own.
UNKNOWN_THEME_ORDER = 999


def complete_theme_progress(
    aggregates: pd.DataFrame, themes: Sequence[Theme], reporting_year: int
) -> pd.DataFrame:
    """One row per theme of the letter (zeros where nothing was reported), titles and order added."""
    by_theme = {str(row["theme"]): row for row in aggregates.to_dict("records")}
    rows = []
    known = {theme.code for theme in themes}
    extra = [
        Theme(code, code, UNKNOWN_THEME_ORDER) for code in sorted(by_theme) if code not in known
    ]
    for theme in [*themes, *extra]:
        found = by_theme.get(theme.code, {})
        rows.append(
            {
                "reporting_year": reporting_year,
                "theme": theme.code,
                "theme_title": theme.title,
                "theme_order": theme.order,
                **{column: int(found.get(column) or 0) for column in THEME_COUNT_COLUMNS},
            }
        )
    frame = pd.DataFrame(rows, columns=THEME_PROGRESS_COLUMNS)
    return frame.astype(
        {column: "int64" for column in ["reporting_year", "theme_order", *THEME_COUNT_COLUMNS]}
    )


def partner_reporting_frame(rows: pd.DataFrame, reporting_year: int) -> pd.DataFrame:
    """The SQL's rows with the reporting year added and the column types fixed."""
    frame = rows.copy()
    frame.insert(0, "reporting_year", reporting_year)
    frame["has_accepted_submission"] = frame["has_accepted_submission"].astype(bool)
    frame["accepted_received_at"] = pd.to_datetime(frame["accepted_received_at"])
    for column in ("reporting_year", "action_count", "rejected_submission_count"):
        frame[column] = frame[column].astype("int64")
    return frame[PARTNER_REPORTING_COLUMNS]


def reporting_summary_nl(reported: int, partners: int) -> str:
    """ "0 van de 21 partners hebben gerapporteerd." (the count of partners from the registry)."""
    verb = "heeft" if reported == 1 else "hebben"
    return f"{reported} van de {partners} partners {verb} gerapporteerd."


def _count(number: int, singular: str, plural: str) -> str:
    return f"{format_integer(number)} {singular if number == 1 else plural}"


def theme_summary_nl(row: dict[str, object], reporting_year: int) -> str:
    """What partners reported on one theme, as one or two sentences."""
    actions = int(str(row["action_count"]))
    if actions == 0:
        return f"Over {reporting_year} is voor dit thema geen actie gerapporteerd."
    partners = int(str(row["partners_reporting"]))
    statuses = [
        (int(str(row["actions_planned"])), "gepland"),
        (int(str(row["actions_ongoing"])), "lopend"),
        (int(str(row["actions_completed"])), "afgerond"),
        (int(str(row["actions_stopped"])), "gestopt"),
    ]
    parts = [f"{format_integer(count)} {label}" for count, label in statuses if count]
    status_text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"
    verb = "rapporteerde" if partners == 1 else "rapporteerden"
    text = (
        f"Over {reporting_year} {verb} {_count(partners, 'partner', 'partners')} "
        f"{_count(actions, 'actie', 'acties')} binnen dit thema ({status_text})."
    )
    people = int(str(row["people_reached"]))
    employers = int(str(row["employers_reached"]))
    text += (
        f" Samen bereikten zij {_count(people, 'persoon', 'personen')} en "
        f"{_count(employers, 'werkgever', 'werkgevers')}, voor zover gerapporteerd."
    )
    return text
