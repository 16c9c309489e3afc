"""The agenda as a whole: every action reported in its years so far, and which partners
reported in every year (the years come from config/action_progress.yaml)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

AGENDA_PROGRESS_COLUMNS = [
    "reporting_year",
    "theme",
    "first_year",
    "actions_reported",
    "actions_started",
    "actions_planned",
    "actions_running",
    "actions_completed",
    "actions_stopped",
]
AGENDA_COUNT_COLUMNS = AGENDA_PROGRESS_COLUMNS[3:]
PARTNER_YEARS_COLUMNS = ["partner_id", "partner_name", "years_reported", "years_missing"]
# An action counts as started once it was reported running or done in some year.
STARTED_STATUSES = ("lopend", "afgerond")
LATEST_STATUS_COLUMN = {
    "gepland": "actions_planned",
    "lopend": "actions_running",
    "afgerond": "actions_completed",
    "gestopt": "actions_stopped",
}


def agenda_progress_frame(
    actions: pd.DataFrame, theme_codes: Sequence[str], first_year: int, reporting_year: int
) -> pd.DataFrame:
    """letter.agenda_progress: per theme, every (partner_id, actie_id) reported from first_year
    up to the reporting year, counted once, under its last reported theme and status."""
    years = actions[
        (actions["reporting_year"] >= first_year) & (actions["reporting_year"] <= reporting_year)
    ]
    ordered = years.sort_values(["partner_id", "action_id", "reporting_year"])
    keys = ["partner_id", "action_id"]
    started = (
        ordered["status"]
        .isin(STARTED_STATUSES)
        .groupby([ordered["partner_id"], ordered["action_id"]], sort=False)
        .any()
    )
    latest = ordered.groupby(keys, sort=False).tail(1)
    latest = latest.assign(
        started=started.reindex(pd.MultiIndex.from_frame(latest[keys])).to_numpy()
    )
    rows = []
    themes = list(theme_codes) + sorted(set(latest["theme"]) - set(theme_codes))
    for code in themes:
        theme_rows = latest[latest["theme"] == code]
        row = {
            "reporting_year": reporting_year,
            "theme": code,
            "first_year": first_year,
            "actions_reported": len(theme_rows),
            "actions_started": int(theme_rows["started"].sum()),
        }
        for status, column in LATEST_STATUS_COLUMN.items():
            row[column] = int((theme_rows["status"] == status).sum())
        rows.append(row)
    frame = pd.DataFrame(rows, columns=AGENDA_PROGRESS_COLUMNS)
    return frame.astype(
        {column: "int64" for column in AGENDA_PROGRESS_COLUMNS if column != "theme"}
    )


def partner_years_frame(
    registry: pd.DataFrame, actions: pd.DataFrame, first_year: int, reporting_year: int
) -> pd.DataFrame:
    """Per registry partner taking part in the agenda's years so far: the years it reported
    (had an accepted file) and the years of its membership it did not."""
    reported = actions.groupby("partner_id")["reporting_year"].agg(lambda years: set(years))
    rows = []
    for partner in registry.to_dict("records"):
        start = max(first_year, int(partner["first_year"]))
        last = partner.get("last_year")
        end = reporting_year if last is None or pd.isna(last) else min(int(last), reporting_year)
        if start > end:
            continue
        member_years = range(start, end + 1)
        done = reported.get(partner["partner_id"], set())
        rows.append(
            {
                "partner_id": partner["partner_id"],
                "partner_name": partner["name"],
                "years_reported": ", ".join(str(y) for y in member_years if y in done) or None,
                "years_missing": ", ".join(str(y) for y in member_years if y not in done) or None,
            }
        )
    return pd.DataFrame(rows, columns=PARTNER_YEARS_COLUMNS)
