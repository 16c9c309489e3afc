"""`letter reproduce`: rebuild an approved release from what it recorded, in a scratch
warehouse, and compare the files byte for byte with those sent.

What the scratch warehouse gets (`prepare_scratch`): each CBS table at the version the release
recorded, from its kept vintage (cbs.observation_vintages, cbs.measure_vintages,
cbs.quarterly_observation_vintages, …); the
partner rows of the files it recorded (partners.submissions and actions by sha256, each file
checked to be in the archive with that hash; the actions of a file a later one replaced are read
again from the archive), as processed by the approval; the registry;
and the releases approved before it (the annex's section on revisions since the previous
letter). The command then runs the yearly build's monitor and letter assets on it (not the
CBS or partner intake, which would take today's inputs) and calls `compare`.

Config and code are today's: the code location reads config/ from the package. When either
differs from the recorded version the result says so, naming the config files changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from via_pipeline.core.cbs.observations import OBSERVATION_COLUMNS
from via_pipeline.core.cbs.quarter_vintages import restore_quarterly
from via_pipeline.core.cbs.vintages import (
    VERSIONS_TABLE,
    observations_at_versions,
    resolution_at_version,
)
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.releases.figures import letter_figures, shown
from via_pipeline.core.letter.releases.files import file_records, programme_files, sha256_of
from via_pipeline.core.letter.releases.records import (
    RELEASE_FIGURES_TABLE,
    RELEASE_FILES_TABLE,
    RELEASE_INPUTS_TABLE,
    RELEASES_TABLE,
    Release,
    ReleaseError,
    every_release,
    release_programme,
    release_rows,
)
from via_pipeline.core.partners.programmes import load_programmes
from via_pipeline.core.runs.input_versions import code_version
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline.core.warehouse import WarehouseStore

PARTNER_TABLES = ("partners.submissions", "partners.versions", "partners.actions")


@dataclass(frozen=True)
class Prepared:
    """What the scratch warehouse was given, and what could not be given."""

    cbs_tables: tuple[str, ...]
    partner_files: tuple[str, ...]
    problems: tuple[str, ...] = ()  # inputs the release recorded that are no longer kept
    config_changed: tuple[str, ...] = ()  # config files that differ from the recorded ones
    code_differs: bool = False


def _inputs(store: WarehouseStore, release: Release, kind: str) -> pd.DataFrame:
    rows = release_rows(store, RELEASE_INPUTS_TABLE, release)
    return rows[rows["input_kind"] == kind].sort_values("input_name", ignore_index=True)


def _changed_config(recorded: pd.DataFrame, config_dir: Path) -> tuple[str, ...]:
    kept = {str(r.input_name): str(r.version) for r in recorded.itertuples(index=False)}
    today = {
        path.relative_to(config_dir).as_posix(): sha256_of(path)
        for path in sorted(config_dir.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return tuple(
        sorted(name for name in kept.keys() | today.keys() if kept.get(name) != today.get(name))
    )


def _cbs_rows(store: WarehouseStore, scratch: WarehouseStore, versions: dict[str, str]) -> None:
    takes = store.read_table(VERSIONS_TABLE)
    tables = []
    measures = []
    held = []
    for table_id, version in sorted(versions.items()):
        take = takes[(takes["table_id"] == table_id) & (takes["source_version"] == version)]
        if take.empty:
            raise ReleaseError(f"CBS table {table_id}: version {version!r} is not kept")
        first = take.sort_values("taken_at").iloc[0]
        tables.append(
            {
                "table_id": table_id,
                "title": first["title"],
                "modified": first["modified"],
                "fetched_at": first["taken_at"],
                "source": first["source"],
                "row_count": int(first["row_count"]),
                "source_version": None if version.startswith("unversioned:") else version,
            }
        )
        kept_measures, kept_held = resolution_at_version(store, table_id, version)
        measures.append(kept_measures.assign(table_id=table_id))
        held.append(kept_held.assign(table_id=table_id))
    observations = observations_at_versions(store, versions)
    scratch.replace("cbs.tables", pd.DataFrame(tables, columns=scratch.table_columns("cbs.tables")))
    scratch.replace("cbs.observations", observations[OBSERVATION_COLUMNS])
    restore_quarterly(store, scratch, versions)  # the quarters of those versions (migration 0017)
    if measures:
        scratch.replace("cbs.measures", pd.concat(measures)[scratch.table_columns("cbs.measures")])
        scratch.replace(
            "cbs.held_dimensions",
            pd.concat(held)[scratch.table_columns("cbs.held_dimensions")],
        )


def _actions_from_archive(
    files: pd.DataFrame,
    submissions: pd.DataFrame,
    with_actions: set[str],
    archive_dir: Path,
    release: Release,
) -> tuple[list[pd.DataFrame], list[str]]:
    """The actions of recorded files a later file of the same partner and year replaced in
    partners.actions: read again from the archive with the intake's own rules."""
    from via_pipeline.core.partners.archive import ArchiveError, read_archived
    from via_pipeline.core.partners.evaluation import evaluate_archived
    from via_pipeline.core.partners.registry import load_partners, load_themes
    from via_pipeline.core.partners.rules import ACTION_COLUMNS

    frames: list[pd.DataFrame] = []
    problems: list[str] = []
    years = sorted(
        {int(y) for y in submissions["reporting_year"].dropna()} | {release.reporting_year}
    )
    for row in files.itertuples(index=False):
        sha256, name = str(row.version), str(row.input_name)
        submission = submissions[submissions["sha256"] == sha256]
        if submission.empty:
            problems.append(f"partner file {name}: not in partners.submissions")
            continue
        if sha256 in with_actions or int(submission.iloc[0]["action_count"]) == 0:
            continue
        try:
            archived = read_archived(archive_dir, sha256, name)
        except ArchiveError:  # named already by prepare_scratch
            continue
        evaluation = evaluate_archived(archived, load_partners(), load_themes(), years)
        if not evaluation.accepted:
            problems.append(f"partner file {name}: no longer accepted by today's rules")
            continue
        frames.append(evaluation.actions.assign(submission_sha256=sha256)[ACTION_COLUMNS])
    return frames, problems


def prepare_scratch(
    store: WarehouseStore,
    scratch: WarehouseStore,
    release: Release,
    archive_dir: Path,
    config_dir: Path = CONFIG_DIR,
) -> Prepared:
    """Fill the (migrated, empty) scratch warehouse with the release's recorded inputs."""
    from via_pipeline.core.partners.archive import ArchiveError, read_archived

    problems: list[str] = []
    cbs = _inputs(store, release, "cbs_table")
    versions = {str(r.input_name): str(r.version) for r in cbs.itertuples(index=False)}
    _cbs_rows(store, scratch, versions)

    files = _inputs(store, release, "partner_file")
    recorded = set(files["version"])
    for row in files.itertuples(index=False):
        try:
            read_archived(archive_dir, str(row.version), str(row.input_name))
        except ArchiveError as error:
            problems.append(f"partner file {row.input_name}: {error}")
    scratch.replace("partners.registry", store.read_table("partners.registry"))
    submissions = store.read_table("partners.submissions")
    submissions = submissions[
        (submissions["processed_at"] <= pd.Timestamp(release.approved_at))
    ].assign(is_current=lambda frame: frame["sha256"].isin(recorded))
    scratch.replace("partners.submissions", submissions)
    versions_rows = store.read_table("partners.versions")
    scratch.replace("partners.versions", versions_rows[versions_rows["sha256"].isin(recorded)])
    actions = store.read_table("partners.actions")
    actions = actions[actions["submission_sha256"].isin(recorded)]
    replayed, replay_problems = _actions_from_archive(
        files, submissions, set(actions["submission_sha256"]), archive_dir, release
    )
    problems.extend(replay_problems)
    scratch.replace("partners.actions", pd.concat([actions, *replayed], ignore_index=True))
    rejections = store.read_table("partners.rejections")
    scratch.replace(
        "partners.rejections",
        rejections[rejections["rejected_at"] <= pd.Timestamp(release.approved_at)],
    )

    earlier = [  # of every programme: each letter's section on its programme's previous one
        r
        for r in every_release(store)
        if r.reporting_year < release.reporting_year and r.approved_at <= release.approved_at
    ]
    for table in (RELEASES_TABLE, RELEASE_FIGURES_TABLE):
        rows = [release_rows(store, table, r) for r in earlier]
        if rows:
            scratch.insert(table, pd.concat(rows, ignore_index=True))
    return Prepared(
        cbs_tables=tuple(sorted(versions)),
        partner_files=tuple(sorted(files["input_name"])),
        problems=tuple(problems),
        config_changed=_changed_config(_inputs(store, release, "config_file"), config_dir),
        code_differs=code_version() != release.code_version,
    )


@dataclass(frozen=True)
class Reproduction:
    release: Release
    out_dir: Path
    prepared: Prepared
    differing: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    first_figure: str | None = None
    checked: int = 0

    @property
    def identical(self) -> bool:
        return not (self.differing or self.missing or self.added or self.prepared.problems)

    def lines(self) -> list[str]:
        lines = [
            f"rebuilt {self.release.describe()} in {self.out_dir} from CBS "
            f"{', '.join(self.prepared.cbs_tables) or 'none'} at their recorded versions and "
            f"{len(self.prepared.partner_files)} partner file(s)"
        ]
        lines.extend(f"not as recorded: {problem}" for problem in self.prepared.problems)
        if self.prepared.code_differs:
            lines.append(
                "the code version differs from the recorded one "
                f"({self.release.code_version}): differences may come from the code"
            )
        if self.prepared.config_changed:
            lines.append(
                "config differs from the recorded one (rebuilt with today's): "
                + ", ".join(self.prepared.config_changed)
            )
        lines.extend(f"differs: {path}" for path in self.differing)
        lines.extend(f"missing from the rebuild: {path}" for path in self.missing)
        lines.extend(f"not in the release: {path}" for path in self.added)
        if self.first_figure:
            lines.append(f"first differing figure: {self.first_figure}")
        elif self.differing:
            lines.append("no figure differs: the files differ in text or layout")
        if self.identical:
            lines.append(f"all {self.checked} files are byte-identical to the ones sent")
        return lines


def first_differing_figure(
    store: WarehouseStore, scratch: WarehouseStore, release: Release, config: KeyFigureConfig
) -> str | None:
    sent = release_rows(store, RELEASE_FIGURES_TABLE, release)
    rebuilt = letter_figures(
        scratch, config, release.reporting_year, programme=release_programme(release.programme)
    )
    now = {(str(r.figure_key), int(r.period)): r.value for r in rebuilt.itertuples(index=False)}
    for row in sent.sort_values(["figure_key", "period"]).itertuples(index=False):
        key = str(row.figure_key)
        value = now.get((key, int(row.period)))
        sent_text, rebuilt_text = shown(key, row.value), shown(key, value)
        if sent_text != rebuilt_text:
            return f"{row.figure_label}, {row.period}: sent {sent_text}, rebuilt {rebuilt_text}"
    return None


def compare(
    store: WarehouseStore,
    scratch: WarehouseStore,
    release: Release,
    prepared: Prepared,
    out_dir: Path,
    config: KeyFigureConfig,
) -> Reproduction:
    """The rebuilt files of the release's programme in `out_dir` against its recorded files."""
    recorded = release_rows(store, RELEASE_FILES_TABLE, release)
    expected = {str(r.path): str(r.sha256) for r in recorded.itertuples(index=False)}
    own = programme_files(load_programmes(), release.programme)
    found = {r.path: r.sha256 for r in file_records(out_dir, programme=own)}
    return Reproduction(
        release=release,
        out_dir=out_dir,
        prepared=prepared,
        differing=tuple(sorted(p for p in expected if p in found and found[p] != expected[p])),
        missing=tuple(sorted(p for p in expected if p not in found)),
        added=tuple(sorted(p for p in found if p not in expected)),
        first_figure=first_differing_figure(store, scratch, release, config),
        checked=len(expected),
    )
