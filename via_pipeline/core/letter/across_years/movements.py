"""What became of each action between two reporting years, matched on (partner_id, actie_id).

Pure functions on frames of partners.actions rows (the current accepted file of each
partner-year): the SQL only selects the two years. A partner with no accepted file in a year
did not report that year; its actions are marked as such, never as all dropped or all new.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

import numpy as np
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


def movements_of(
    previous_status: pd.Series,
    current_status: pd.Series,
    partner_reported_previous: pd.Series,
    partner_reported_current: pd.Series,
) -> pd.Series:
    """`movement` for whole columns at once (the same rules, in the same order)."""
    rank = pd.Series(STATUS_RANK)
    previous_rank = previous_status.map(rank)
    current_rank = current_status.map(rank)
    no_previous, no_current = previous_status.isna(), current_status.isna()
    previous_open = previous_status.isin(OPEN_STATUSES)
    conditions = [
        no_previous & partner_reported_previous,
        no_previous,
        no_current & ~partner_reported_current,
        no_current & previous_open,
        no_current,
        current_rank < previous_rank,
        ~previous_open,
        current_status == "afgerond",
        current_status == "gestopt",
        current_status == previous_status,
    ]
    choices = [
        "new",
        "partner_absent_previous",
        "partner_absent_current",
        "not_reported_again",
        "closed_before",
        "moved_back",
        "closed_before",
        "completed",
        "stopped",
        "continued",
    ]
    return pd.Series(
        np.select(conditions, choices, default="advanced"), index=previous_status.index
    )


def _side(actions: pd.DataFrame, suffix: str) -> pd.DataFrame:
    columns = ["status", "theme", "title", "people_reached", "employers_reached"]
    frame = actions[["partner_id", "action_id", *columns]].copy()
    frame["partner_id"] = frame["partner_id"].astype(str)
    frame["action_id"] = frame["action_id"].astype(str)
    return frame.rename(columns={column: f"{column}_{suffix}" for column in columns})


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
    always holds at least one action). Column-wise: a year of 1,000,000 actions is one merge.
    """
    reported_previous = set(
        partners_reported_previous
        if partners_reported_previous is not None
        else previous_actions["partner_id"].astype(str)
    )
    reported_current = set(
        partners_reported_current
        if partners_reported_current is not None
        else current_actions["partner_id"].astype(str)
    )
    merged = (
        _side(previous_actions, "previous")
        .merge(
            _side(current_actions, "current"),
            on=["partner_id", "action_id"],
            how="outer",
            indicator=True,
        )
        .sort_values(["partner_id", "action_id"])
        .reset_index(drop=True)
    )
    in_current = merged["_merge"] != "left_only"
    in_both = merged["_merge"] == "both"
    merged = merged.astype(
        {
            "status_previous": object,
            "status_current": object,
            "theme_previous": object,
            "title_previous": object,
        }
    )
    previous_status = merged["status_previous"].where(merged["status_previous"].notna(), None)
    current_status = merged["status_current"].where(merged["status_current"].notna(), None)
    reported_before = merged["partner_id"].isin(reported_previous)
    reported_now = merged["partner_id"].isin(reported_current)
    theme = merged["theme_current"].where(in_current, merged["theme_previous"])
    title = merged["title_current"].where(in_current, merged["title_previous"])
    title_changed = np.zeros(len(merged), dtype=bool)
    differs = (in_both & (merged["title_previous"] != merged["title_current"])).to_numpy()
    title_changed[differs] = [
        titles_completely_different(str(before), str(after))
        for before, after in zip(
            merged["title_previous"].to_numpy()[differs],
            merged["title_current"].to_numpy()[differs],
            strict=True,
        )
    ]
    frame = pd.DataFrame(
        {
            "reporting_year": reporting_year,
            "partner_id": merged["partner_id"],
            "action_id": merged["action_id"],
            "partner_reported_previous": reported_before.astype(bool),
            "partner_reported_current": reported_now.astype(bool),
            "previous_status": previous_status,
            "current_status": current_status,
            "movement": movements_of(
                previous_status, current_status, reported_before, reported_now
            ),
            "theme": theme.astype(str),
            "previous_theme": merged["theme_previous"].where(
                merged["theme_previous"].notna(), None
            ),
            "theme_changed": (
                in_both & (merged["theme_previous"] != merged["theme_current"])
            ).astype(bool),
            "title": title.astype(str),
            "previous_title": merged["title_previous"].where(
                merged["title_previous"].notna(), None
            ),
            "title_changed": title_changed,
            "people_reached_previous": merged["people_reached_previous"],
            "people_reached_current": merged["people_reached_current"],
            "employers_reached_previous": merged["employers_reached_previous"],
            "employers_reached_current": merged["employers_reached_current"],
        },
        columns=ACTION_PROGRESS_COLUMNS,
    )
    for column in (
        "people_reached_previous",
        "people_reached_current",
        "employers_reached_previous",
        "employers_reached_current",
    ):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    frame["reporting_year"] = frame["reporting_year"].astype("int64")
    return frame


def open_outcomes(rows: pd.DataFrame) -> pd.Series:
    """Per row: the outcome of an action open the year before whose partner reported again
    (completed / running / still_planned / stopped / not_reported_again), else None."""
    counted = rows["previous_status"].isin(OPEN_STATUSES) & rows["partner_reported_current"].astype(
        bool
    )
    outcome = (
        rows["current_status"]
        .map(OUTCOME_BY_STATUS)
        .where(rows["current_status"].notna(), "not_reported_again")
    )
    return outcome.where(counted, None)


OUTCOMES = (*OUTCOME_BY_STATUS.values(), "not_reported_again")


def _counts_by(progress: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per value of `key`: the count of each movement, of each outcome and `open_previous`."""
    # completed, stopped and not_reported_again are movements and outcomes alike (the same
    # rows); running and still_planned split continued and advanced by the status now.
    only_outcomes = [name for name in OUTCOMES if name not in MOVEMENTS]
    columns = [*MOVEMENTS, *only_outcomes, "open_previous", "open_partner_absent"]
    if progress.empty:
        return pd.DataFrame(columns=columns, dtype="int64")
    outcomes = open_outcomes(progress)
    table = pd.concat(
        [
            pd.crosstab(progress[key], progress["movement"]),
            pd.crosstab(progress[key], outcomes.fillna("-")).reindex(
                columns=only_outcomes, fill_value=0
            ),
        ],
        axis=1,
    )
    table["open_previous"] = outcomes.notna().groupby(progress[key]).sum()
    open_absent = progress["previous_status"].isin(OPEN_STATUSES) & (
        progress["movement"] == "partner_absent_current"
    )
    table["open_partner_absent"] = open_absent.groupby(progress[key]).sum()
    return table.reindex(columns=columns, fill_value=0).fillna(0).astype("int64")


def movement_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Counts of each movement, the open actions of the year before (whose partner reported
    again) and their outcomes, over all `rows`: what a theme's sentence says."""
    table = _counts_by(rows.assign(_all="all"), "_all").reindex(["all"], fill_value=0)
    return {str(name): int(value) for name, value in table.iloc[0].items()}


def progress_movements_frame(
    progress: pd.DataFrame,
    reporting_year: int,
    theme_codes: Sequence[str],
    partner_ids: Sequence[str],
    sentence: Any,
) -> pd.DataFrame:
    """letter.progress_movements: one row per theme of the letter (zeros where none) and per
    partner with actions in either year; `sentence(counts)` words a theme's row."""
    themes = list(theme_codes) + sorted(set(progress["theme"]) - set(theme_codes))
    present = set(progress["partner_id"])
    partners = [p for p in partner_ids if p in present] + sorted(present - set(partner_ids))
    rows = []
    for scope, key, keys in (("theme", "theme", themes), ("partner", "partner_id", partners)):
        table = _counts_by(progress, key).reindex(keys, fill_value=0)
        for scope_key, counts in table.iterrows():
            values = {name: int(counts[name]) for name in table.columns}
            rows.append(
                {
                    "reporting_year": reporting_year,
                    "scope": scope,
                    "scope_key": str(scope_key),
                    **{column: values[column] for column in MOVEMENT_COUNT_COLUMNS},
                    "sentence_nl": sentence(values) if scope == "theme" else None,
                }
            )
    frame = pd.DataFrame(rows, columns=PROGRESS_MOVEMENT_COLUMNS)
    return frame.astype({column: "int64" for column in ["reporting_year", *MOVEMENT_COUNT_COLUMNS]})
