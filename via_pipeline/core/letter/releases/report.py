"""What the run output, `status` and the letter assets say about sent letters: the revisions
kept in letter.revisions, one line each, a summary per sent letter (each programme's letter of
a year is sent on its own), and the warnings for a revision larger than config/monitor.yaml's
`revision_warning_pp`. Each programme's letter gets the section on the revisions of the
previous letter of the same programme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.document import Section
from via_pipeline.core.letter.releases.figures import is_count
from via_pipeline.core.letter.releases.records import (
    REVISIONS_TABLE,
    Release,
    default_programme,
    every_release,
    latest_release,
    optional_text,
    previous_release,
    release_rows,
)
from via_pipeline.core.letter.releases.revisions import (
    CurrentState,
    Revision,
    write_revisions,
)
from via_pipeline.core.letter.releases.section import revisions_section
from via_pipeline.core.monitor.plausibility.config import load_revision_warning_pp
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline.core.warehouse import WarehouseStore


def revision_warning_pp(config_dir: Path = CONFIG_DIR) -> float:
    """A revision of a sent figure by at least this many percentage points is a warning:
    config/monitor.yaml `plausibility: revision_warning_pp` (one key, read and checked by the
    plausibility config)."""
    return load_revision_warning_pp(config_dir)


Letter = tuple[str, int]  # (programme, reporting_year): one letter, sent on its own


def sent_years(store: WarehouseStore) -> list[Release]:
    """The newest release of each sent letter (programme and year), oldest year first, the
    default programme's before the others' within a year."""
    newest: dict[Letter, Release] = {}
    for release in every_release(store):
        newest[(release.programme, release.reporting_year)] = release
    default = default_programme()
    return sorted(
        newest.values(),
        key=lambda r: (r.reporting_year, r.programme != default, r.programme),
    )


def refresh_revisions(
    store: WarehouseStore, config: KeyFigureConfig
) -> dict[Letter, list[Revision]]:
    """letter.revisions of every sent letter's newest release, against the figures of now."""
    sent = sent_years(store)
    if not sent:
        return {}
    state = CurrentState.read(store)
    return {
        (release.programme, release.reporting_year): write_revisions(store, release, config, state)
        for release in sent
    }


def stored_revisions(store: WarehouseStore, release: Release) -> list[Revision]:
    """The revisions letter.revisions holds for the release (as of the last build)."""
    rows = release_rows(store, REVISIONS_TABLE, release)

    def value(found: object) -> float | None:
        return None if found is None or pd.isna(found) else float(found)  # type: ignore[arg-type]

    return [
        Revision(
            release=release,
            figure_key=str(r.figure_key),
            figure_label=str(r.figure_label),
            period=int(r.period),
            sent_value=value(r.sent_value),
            current_value=value(r.current_value),
            sent_source_version=optional_text(r.sent_source_version),
            current_source_version=optional_text(r.current_source_version),
            cause=str(r.cause),
            detected_at=pd.Timestamp(r.detected_at).to_pydatetime(),
        )
        for r in rows.sort_values(["figure_key", "period"]).itertuples(index=False)
    ]


def summary_line(release: Release, revised: int) -> str:
    sent_on = release.approved_at.date().isoformat()
    figures = "figure" if revised == 1 else "figures"
    return (
        f"letter {release.letter} sent (release {release.release_number}, "
        f"{sent_on}, by {release.approved_by}): {revised} {figures} revised since"
    )


def warning_lines(revisions: list[Revision], threshold_pp: float) -> list[str]:
    return [
        f"warning: {r.line()}: revised by {r.size_pp:.1f} pp, at least revision_warning_pp "
        f"({threshold_pp:g} pp in config/monitor.yaml)"
        for r in revisions
        if not is_count(r.figure_key) and r.size_pp is not None and r.size_pp >= threshold_pp - 1e-9
    ]


def sent_letter_lines(store: WarehouseStore, built_year: int | None = None) -> list[str]:
    """For the run output (`built_year`) and `status` (None): one line per revised figure of
    the built year's letters and of the letter before each, then a summary per sent letter and
    the warnings for large revisions. Nothing before migration 0014 or before any approval."""
    sent = sent_years(store)
    if not sent:
        return []
    shown: set[Letter] = set()
    if built_year is not None:
        for programme in {r.programme for r in sent}:
            own = latest_release(store, built_year, programme)
            previous = previous_release(store, built_year, programme)
            shown |= {(r.programme, r.reporting_year) for r in (own, previous) if r is not None}
    threshold = revision_warning_pp()
    lines: list[str] = []
    warnings: list[str] = []
    for release in sent:
        found = stored_revisions(store, release)
        if (release.programme, release.reporting_year) in shown:
            lines.extend(r.line() for r in found)
        lines.append(summary_line(release, len(found)))
        warnings.extend(warning_lines(found, threshold))
    return [*lines, *warnings]


@dataclass(frozen=True)
class AnnexRevisions:
    """What a build of a year's letters finds about sent letters."""

    # Per programme code: its section "Herzieningen sinds de vorige brief" (on the previous
    # letter of the same programme); a programme without an earlier sent letter has none.
    sections: dict[str, Section]
    own: list[Revision]  # revisions of this year's own sent letters
    warnings: list[str]  # revisions of either above revision_warning_pp

    @property
    def section(self) -> Section | None:
        """The default programme's section (the VIA letter's)."""
        return self.sections.get(default_programme())


def annex_revisions(
    store: WarehouseStore, config: KeyFigureConfig, reporting_year: int
) -> AnnexRevisions:
    """Refresh letter.revisions and give each of the year's letters its section, and the
    warnings."""
    if "0014" not in store.applied_migrations():
        return AnnexRevisions({}, [], [])
    found = refresh_revisions(store, config)
    sections: dict[str, Section] = {}
    own: list[Revision] = []
    before: list[Revision] = []
    for programme in sorted({programme for programme, _year in found}):
        previous = previous_release(store, reporting_year, programme)
        revised = found.get((programme, previous.reporting_year), []) if previous else []
        section = revisions_section(previous, revised, config)
        if section is not None:
            sections[programme] = section
        own.extend(found.get((programme, reporting_year), []))
        before.extend(revised)
    return AnnexRevisions(sections, own, warning_lines([*own, *before], revision_warning_pp()))
