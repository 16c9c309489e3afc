"""What became of each action between two reporting years, matched on (partner_id, actie_id).

Pure functions on frames of partners.actions rows (the current accepted file of each
partner-year): the SQL only selects the two years. A partner with no accepted file in a year
did not report that year; its actions are marked as such, never as all dropped or all new.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

OPEN_STATUSES = ("gepland", "lopend")
CLOSED_STATUSES = ("afgerond", "gestopt")
# How far an action has come: a later year may keep or raise it, never lower it.
STATUS_RANK = {"gepland": 0, "lopend": 1, "afgerond": 2, "gestopt": 2}
MOVEMENTS = (
    "new",
    "continued",
    "advanced",
    "completed",
    "stopped",
    "not_reported_again",
    "closed_before",
    "moved_back",
    "partner_absent_previous",
    "partner_absent_current",
)
ACTION_PROGRESS_COLUMNS = [
    "reporting_year",
    "partner_id",
    "action_id",
    "partner_reported_previous",
    "partner_reported_current",
    "previous_status",
    "current_status",
    "movement",
    "theme",
    "previous_theme",
    "theme_changed",
    "title",
    "previous_title",
    "title_changed",
    "people_reached_previous",
    "people_reached_current",
    "employers_reached_previous",
    "employers_reached_current",
]
MOVEMENT_COUNT_COLUMNS = ["open_previous", *MOVEMENTS]
PROGRESS_MOVEMENT_COLUMNS = [
    "reporting_year",
    "scope",
    "scope_key",
    *MOVEMENT_COUNT_COLUMNS,
    "sentence_nl",
]
# The outcome in the reporting year of an action open the year before, by its status then.
OUTCOME_BY_STATUS = {
    "afgerond": "completed",
    "lopend": "running",
    "gepland": "still_planned",
    "gestopt": "stopped",
}
# Two titles of one actie_id count as "completely different" below this similarity (0..1)
# when they also share no word of four letters or more.
TITLE_SIMILARITY_THRESHOLD = 0.5
_WORD = re.compile(r"[a-z0-9]+")


def movement(
    previous_status: str | None,
    current_status: str | None,
    partner_reported_previous: bool,
    partner_reported_current: bool,
) -> str:
    """The kind of movement of one action between the year before and the reporting year."""
    if previous_status is None:
        return "new" if partner_reported_previous else "partner_absent_previous"
    if current_status is None:
        if not partner_reported_current:
            return "partner_absent_current"
        return "not_reported_again" if previous_status in OPEN_STATUSES else "closed_before"
    if STATUS_RANK[current_status] < STATUS_RANK[previous_status]:
        return "moved_back"
    if previous_status in CLOSED_STATUSES:
        return "closed_before"
    if current_status == "afgerond":
        return "completed"
    if current_status == "gestopt":
        return "stopped"
    if current_status == previous_status:
        return "continued"
    return "advanced"


def _plain_words(title: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _WORD.findall(ascii_text)


def titles_completely_different(previous: str, current: str) -> bool:
    """True when two titles of one actie_id cannot be the same action reworded.

    Rewording keeps either most characters or a telling word ("Training werven" ->
    "Training objectief werven en selecteren"); a reused id keeps neither.
    """
    before, after = _plain_words(previous), _plain_words(current)
    if " ".join(before) == " ".join(after):
        return False
    if {w for w in before if len(w) >= 4} & {w for w in after if len(w) >= 4}:
        return False
    ratio = SequenceMatcher(None, " ".join(before), " ".join(after)).ratio()
    return ratio < TITLE_SIMILARITY_THRESHOLD


def _value(row: Mapping[str, Any] | None, column: str) -> Any:
    if row is None:
        return None
    value = row.get(column)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def action_progress_frame(
    previous_actions: pd.DataFrame,
    current_actions: pd.DataFrame,
    reporting_year: int,
    partners_reported_previous: Sequence[str] | None = None,
    partners_reported_current: Sequence[str] | None = None,
) -> pd.DataFrame:
    """letter.action_progress rows: one per partner action of the year before or the year.

    The actions frames hold partners.actions rows. A partner reported in a year when it has an
    accepted file then: by default, when it has actions in that year's frame (an accepted file
    always holds at least one action).
    """
    reported_previous = set(
        partners_reported_previous
        if partners_reported_previous is not None
        else previous_actions["partner_id"]
    )
    reported_current = set(
        partners_reported_current
        if partners_reported_current is not None
        else current_actions["partner_id"]
    )

    def by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (str(row["partner_id"]), str(row["action_id"])): row for row in frame.to_dict("records")
        }

    before, now = by_key(previous_actions), by_key(current_actions)
    rows = []
    for key in sorted(set(before) | set(now)):
        partner_id, action_id = key
        old, new = before.get(key), now.get(key)
        previous_status, current_status = _value(old, "status"), _value(new, "status")
        latest = new if new is not None else old
        previous_title = _value(old, "title")
        title = str(_value(latest, "title"))
        previous_theme = _value(old, "theme")
        theme = str(_value(latest, "theme"))
        rows.append(
            {
                "reporting_year": reporting_year,
                "partner_id": partner_id,
                "action_id": action_id,
                "partner_reported_previous": partner_id in reported_previous,
                "partner_reported_current": partner_id in reported_current,
                "previous_status": previous_status,
                "current_status": current_status,
                "movement": movement(
                    previous_status,
                    current_status,
                    partner_id in reported_previous,
                    partner_id in reported_current,
                ),
                "theme": theme,
                "previous_theme": previous_theme,
                "theme_changed": new is not None
                and previous_theme is not None
                and previous_theme != theme,
                "title": title,
                "previous_title": previous_title,
                "title_changed": new is not None
                and previous_title is not None
                and titles_completely_different(str(previous_title), title),
                "people_reached_previous": _value(old, "people_reached"),
                "people_reached_current": _value(new, "people_reached"),
                "employers_reached_previous": _value(old, "employers_reached"),
                "employers_reached_current": _value(new, "employers_reached"),
            }
        )
    frame = pd.DataFrame(rows, columns=ACTION_PROGRESS_COLUMNS)
    for column in (
        "people_reached_previous",
        "people_reached_current",
        "employers_reached_previous",
        "employers_reached_current",
    ):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    for column in ("partner_reported_previous", "partner_reported_current"):
        frame[column] = frame[column].astype(bool)
    for column in ("theme_changed", "title_changed"):
        frame[column] = frame[column].astype(bool)
    frame["reporting_year"] = frame["reporting_year"].astype("int64")
    return frame


def _open_outcomes(rows: pd.DataFrame) -> pd.Series:
    """Per row: the outcome of an action open the year before whose partner reported again
    (completed / running / still_planned / stopped / not_reported_again), else None."""

    def outcome(row: Mapping[str, Any]) -> str | None:
        status = _value(row, "previous_status")
        if status not in OPEN_STATUSES or not row["partner_reported_current"]:
            return None
        current = _value(row, "current_status")
        return "not_reported_again" if current is None else OUTCOME_BY_STATUS[str(current)]

    if rows.empty:
        return pd.Series([], dtype="object")
    return pd.Series([outcome(row) for row in rows.to_dict("records")], index=rows.index)


def movement_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Counts of each movement, the open actions of the year before (whose partner reported
    again) and their outcomes: what the sentence of a theme or partner says."""
    counts = {name: int((rows["movement"] == name).sum()) for name in MOVEMENTS}
    outcomes = _open_outcomes(rows)
    for name in (*OUTCOME_BY_STATUS.values(), "not_reported_again"):
        counts[name] = int((outcomes == name).sum())
    counts["open_previous"] = int(outcomes.notna().sum())
    return counts


def progress_movements_frame(
    progress: pd.DataFrame,
    reporting_year: int,
    theme_codes: Sequence[str],
    partner_ids: Sequence[str],
    sentence: Any,
) -> pd.DataFrame:
    """letter.progress_movements: one row per theme of the letter (zeros where none) and per
    partner with actions in either year; `sentence(counts)` words a theme's row."""
    rows = []
    themes = list(theme_codes) + sorted(set(progress["theme"]) - set(theme_codes))
    for code in themes:
        counts = movement_counts(progress[progress["theme"] == code])
        rows.append(
            {
                "reporting_year": reporting_year,
                "scope": "theme",
                "scope_key": code,
                **{column: counts[column] for column in MOVEMENT_COUNT_COLUMNS},
                "sentence_nl": sentence(counts),
            }
        )
    partners = [p for p in partner_ids if p in set(progress["partner_id"])]
    partners += sorted(set(progress["partner_id"]) - set(partners))
    for partner_id in partners:
        counts = movement_counts(progress[progress["partner_id"] == partner_id])
        rows.append(
            {
                "reporting_year": reporting_year,
                "scope": "partner",
                "scope_key": partner_id,
                **{column: counts[column] for column in MOVEMENT_COUNT_COLUMNS},
                "sentence_nl": None,
            }
        )
    frame = pd.DataFrame(rows, columns=PROGRESS_MOVEMENT_COLUMNS)
    return frame.astype({column: "int64" for column in ["reporting_year", *MOVEMENT_COUNT_COLUMNS]})
