"""Revisions: each figure of a sent letter whose value, as the letter states it (one decimal),
differs today, with the reason (letter.revisions).

The current value of a sent figure is the gap monitor.gaps holds now for the same statement
(source table, indicator, group, reference group) and year, so revisions are found on every
build, of the sent year or of a later one. The cause: the CBS table's new version (its
Modified, and "2022 was voorlopig, nu definitief" when CBS changed the status), else a changed
configuration or code since the approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from via_pipeline.core.dutch import format_date, round_half_up
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.releases.approve import config_version
from via_pipeline.core.letter.releases.figures import (
    GAP_KEY,
    action_figures,
    is_count,
    letter_themes,
    partner_files_version,
    shown,
)
from via_pipeline.core.letter.releases.records import (
    RELEASE_FIGURES_TABLE,
    REVISIONS_TABLE,
    Release,
    optional_text,
    release_programme,
    release_rows,
)
from via_pipeline.core.runs.input_versions import code_version
from via_pipeline.core.timestamps import naive_utc
from via_pipeline.core.warehouse import WarehouseStore

REVISION_COLUMNS = [
    "programme",
    "reporting_year",
    "release_number",
    "figure_key",
    "figure_label",
    "period",
    "sent_value",
    "current_value",
    "sent_source_version",
    "current_source_version",
    "cause",
    "detected_at",
]


@dataclass(frozen=True)
class Revision:
    release: Release
    figure_key: str
    figure_label: str
    period: int
    sent_value: float | None
    current_value: float | None
    sent_source_version: str | None
    current_source_version: str | None
    cause: str
    detected_at: datetime
    indicator: str | None = None

    @property
    def size_pp(self) -> float | None:
        if self.sent_value is None or self.current_value is None:
            return None
        return abs(self.current_value - self.sent_value)

    def line(self) -> str:
        """`letter 2022 (verzonden 2026-12-03): <label>, 2022: 2,9 → 3,3 (<cause>)`; the
        programme named when not the default: `letter 2023 statushouders (verzonden …)`."""
        sent_on = self.release.approved_at.date().isoformat()
        return (
            f"letter {self.release.letter} (verzonden {sent_on}): {self.figure_label}, "
            f"{self.period}: {shown(self.figure_key, self.sent_value)} → "
            f"{shown(self.figure_key, self.current_value)} "
            f"({self.cause})"
        )


def _stated(value: float | None) -> Decimal | None:
    """The value as the letter states it: one decimal, half up."""
    if value is None:
        return None
    return round_half_up(value, 1)


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CurrentState:
    """What the warehouse and the code hold now, that sent figures are compared with."""

    gaps: pd.DataFrame  # monitor.gaps
    tables: pd.DataFrame  # cbs.tables: table_id, source_version, modified
    code_version: str
    config_version: str

    @classmethod
    def read(cls, store: WarehouseStore) -> CurrentState:
        return cls(
            gaps=store.read_table("monitor.gaps"),
            tables=store.read("SELECT table_id, source_version, modified FROM cbs.tables"),
            code_version=code_version(),
            config_version=config_version(),
        )


def _cause(
    table: str | None,
    period: int,
    sent_version: str | None,
    current: pd.Series | None,
    sent_provisional: object,
    now_provisional: bool | None,
    release: Release,
    state: CurrentState,
) -> str:
    if table is not None and current is not None and current["source_version"] != sent_version:
        modified = current["modified"]
        when = f" op {format_date(pd.Timestamp(modified).date())}" if pd.notna(modified) else ""
        status = ""
        if sent_provisional is True and now_provisional is False:
            status = f"; {period} was voorlopig, nu definitief"
        elif sent_provisional is False and now_provisional is True:
            status = f"; {period} was definitief, nu voorlopig"
        return f"CBS {table} herzien{when}{status}"
    return _other_cause(release, state)


def _partner_cause(store: WarehouseStore, sent: str | None, current: str, year: int) -> str | None:
    """The partner files of the year that changed since the letter, in Dutch; None if none."""
    before = set((sent or "").split(", ")) - {"", "geen"}
    now = set(current.split(", ")) - {"", "geen"}
    if before == now:
        return None
    received = store.read(
        "SELECT file_name, sha256, received_at FROM partners.submissions "
        "WHERE is_current AND reporting_year = :year",
        {"year": year},
    )
    when = {
        f"{r.file_name}@{str(r.sha256)[:12]}": format_date(pd.Timestamp(r.received_at).date())
        for r in received.itertuples(index=False)
    }
    names_before = {name.split("@")[0] for name in before}
    names_now = {name.split("@")[0] for name in now}
    parts = []
    for name in sorted(now - before):
        file_name = name.split("@")[0]
        what = "nieuwe versie van" if file_name in names_before else "nieuw bestand"
        parts.append(f"{what} {file_name} (ontvangen op {when.get(name, 'onbekende datum')})")
    parts += [f"bestand {name} niet meer geldig" for name in sorted(names_before - names_now)]
    return "; ".join(parts)


def _count_revisions(
    store: WarehouseStore,
    release: Release,
    sent: pd.DataFrame,
    state: CurrentState,
    first_seen: dict[tuple[str, int, float | None], datetime],
    moment: datetime,
) -> list[Revision]:
    """The sent counts of the release's programme's actions per theme that differ from its
    actions in partners.actions now."""
    found: list[Revision] = []
    counts = sent[[is_count(str(key)) for key in sent["figure_key"]]]
    themes = letter_themes(release_programme(release.programme), None)
    for period in sorted({int(p) for p in counts["period"]}):
        now = action_figures(store, period, themes, release.programme)
        current = {str(r.figure_key): r for r in now.itertuples(index=False)}
        version = partner_files_version(store, period)
        for row in counts[counts["period"] == period].itertuples(index=False):
            today = current.get(str(row.figure_key))
            value = None if today is None else float(today.value)
            if _stated(_optional(row.value)) == _stated(value):
                continue
            cause = _partner_cause(store, optional_text(row.source_version), version, period)
            found.append(
                Revision(
                    release=release,
                    figure_key=str(row.figure_key),
                    figure_label=str(row.figure_label),
                    period=period,
                    sent_value=_optional(row.value),
                    current_value=value,
                    sent_source_version=optional_text(row.source_version),
                    current_source_version=version,
                    cause=cause or _other_cause(release, state),
                    detected_at=first_seen.get((str(row.figure_key), period, value), moment),
                )
            )
    return found


def _other_cause(release: Release, state: CurrentState) -> str:
    if state.config_version != release.config_version:
        return "configuratie gewijzigd sinds de brief"
    if state.code_version != release.code_version:
        return "code van de monitor gewijzigd sinds de brief"
    return "oorzaak onbekend: bronnen, configuratie en code zijn als bij de brief"


def find_revisions(
    store: WarehouseStore,
    release: Release,
    config: KeyFigureConfig,
    state: CurrentState,
    now: datetime | None = None,
) -> list[Revision]:
    """Every figure of the release whose stated value differs from today's."""
    sent = release_rows(store, RELEASE_FIGURES_TABLE, release)
    specs = {spec.figure_key: spec for spec in config.figures}
    kept = release_rows(store, REVISIONS_TABLE, release)
    first_seen = {
        (str(r.figure_key), int(r.period), _optional(r.current_value)): pd.Timestamp(
            r.detected_at
        ).to_pydatetime()
        for r in kept.itertuples(index=False)
    }
    gaps: dict[tuple[object, ...], pd.Series] = {}
    for _index, row in state.gaps.iterrows():
        gaps.setdefault(tuple(row[column] for column in GAP_KEY), row)
    tables = {str(row["table_id"]): row for _index, row in state.tables.iterrows()}
    moment = naive_utc(now or datetime.now(UTC))
    found = _count_revisions(store, release, sent, state, first_seen, moment)
    for row in sent.sort_values(["figure_key", "period"]).itertuples(index=False):
        if is_count(str(row.figure_key)):
            continue
        spec = specs.get(str(row.figure_key))
        if spec is None:  # a statement no longer configured: nothing to compare it with
            continue
        key = (spec.source_table, int(row.period), spec.indicator)
        gap = gaps.get((*key, spec.population_group, spec.reference_group))
        current_value = None if gap is None else float(gap["gap_pp"])
        sent_value = _optional(row.value)
        if _stated(sent_value) == _stated(current_value):
            continue
        table = tables.get(spec.source_table)
        found.append(
            Revision(
                release=release,
                figure_key=str(row.figure_key),
                figure_label=str(row.figure_label),
                period=int(row.period),
                sent_value=sent_value,
                current_value=current_value,
                sent_source_version=optional_text(row.source_version),
                current_source_version=None
                if table is None
                else optional_text(table["source_version"]),
                cause=_cause(
                    spec.source_table,
                    int(row.period),
                    optional_text(row.source_version),
                    table,
                    None if pd.isna(row.provisional) else bool(row.provisional),
                    None if gap is None else bool(gap["provisional"]),
                    release,
                    state,
                ),
                detected_at=first_seen.get(
                    (str(row.figure_key), int(row.period), current_value), moment
                ),
                indicator=spec.indicator,
            )
        )
    return sorted(found, key=lambda r: (r.figure_key, r.period))


def revisions_frame(revisions: list[Revision]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **r.release.key,
                "figure_key": r.figure_key,
                "figure_label": r.figure_label,
                "period": r.period,
                "sent_value": r.sent_value,
                "current_value": r.current_value,
                "sent_source_version": r.sent_source_version,
                "current_source_version": r.current_source_version,
                "cause": r.cause,
                "detected_at": pd.Timestamp(r.detected_at),
            }
            for r in revisions
        ],
        columns=REVISION_COLUMNS,
    ).astype({"sent_value": "float64", "current_value": "float64"})


def write_revisions(
    store: WarehouseStore,
    release: Release,
    config: KeyFigureConfig,
    state: CurrentState | None = None,
    now: datetime | None = None,
) -> list[Revision]:
    """letter.revisions of the release, as of now (its rows replaced; a revision already seen
    with the same current value keeps its detected_at)."""
    found = find_revisions(store, release, config, state or CurrentState.read(store), now)
    store.replace(REVISIONS_TABLE, revisions_frame(found), where=release.key)
    return found
