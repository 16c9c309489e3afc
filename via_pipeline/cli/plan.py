"""Which assets of a yearly build to run: those whose inputs changed since their last build.

Before launching, `via-pipeline run` computes each asset's input version (core/runs/input_versions.py:
code and config, the CBS table versions, the year's inbox files, its parents' versions) and
reads, from Dagster's own records, the run that last materialised the asset (its partition for
partitioned assets). When that run succeeded and carries the same version in its
`via/input_versions` tag, the asset is left out of the run: neither rematerialised nor checked,
its stored check results stand. A multi-asset is run whole when any of its assets changed.

The event log alone is not the truth: an asset is held unchanged only when the warehouse is the
one its last build wrote (the `via/warehouse_id` tag against meta.warehouse_identity), its table
exists and holds the rows that build recorded (core/warehouse/survey.py). Otherwise it is
rebuilt, and the plan says why.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

    from via_pipeline.core.settings.environment import Settings
    from via_pipeline.core.warehouse.survey import BuiltSlice, WarehouseSurvey

    Survey = Callable[[list[BuiltSlice]], WarehouseSurvey]

INPUT_VERSIONS_TAG = "via/input_versions"
WAREHOUSE_ID_TAG = "via/warehouse_id"
STATLINE = "cbs/statline"
INTAKE_ASSETS = ("partners/submissions", "partners/actions", "partners/rejections")
PARTNERS_ACTIONS = "partners/actions"
# Progress across years (one multi-asset) reads the actions of the years before.
ACROSS_YEARS = "letter/action_progress"
# The annex reads the letters sent before its year (<VIA_DATA_DIR>/sent/): its revisions section.
SENT_LETTERS_READER = "letter/annex"


@dataclass(frozen=True)
class BuildPlan:
    versions: dict[str, str]  # every asset's input version, recorded on the run
    to_run: tuple[str, ...]  # asset names ("cbs/tables"), in graph order
    unchanged: dict[str, str]  # asset name -> run id of its last (same-input) build
    # asset name -> why it is rebuilt although its inputs did not change (the warehouse).
    rebuilt: dict[str, str] = field(default_factory=dict)

    @property
    def tags(self) -> dict[str, str]:
        return {INPUT_VERSIONS_TAG: json.dumps(self.versions, sort_keys=True)}


def say_rebuilt(plan: BuildPlan, say: Callable[[str], None]) -> None:
    """One line per reason the warehouse gave for rebuilding assets whose inputs did not change."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in plan.rebuilt.items():
        by_reason.setdefault(reason, []).append(name)
    for reason, names in by_reason.items():
        # Nothing left unchanged and one reason: the warehouse as a whole.
        whole = not plan.unchanged and len(by_reason) == 1
        which = "every asset" if whole else ", ".join(sorted(names))
        say(f"{reason}: rebuilding {which}")


def cbs_version(warn: Callable[[str], None]) -> str:
    """The CBS input: every catalogued table's version, as the cbs_statline observation reads
    it (one TableInfos request per table, or the snapshot's hash; no data)."""
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.client import CbsError
    from via_pipeline.defs.cbs.resources import CbsStatLine

    reader = CbsStatLine().reader(warn=warn)
    try:
        versions = [reader.version(table.table_id) for table in load_catalogue().tables]
    except CbsError as error:
        # Unknown counts as changed: the CBS step runs and fails with its own cause, while the
        # partner and letter assets that do not need CBS still run, as before this plan existed.
        warn(f"CBS table versions not known before the run ({error}): the CBS assets run")
        return f"unknown {uuid.uuid4()}"
    return "|".join(f"{v.table_id}:{v.source}:{v.version}" for v in versions)


def _latest_record(
    instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None
) -> dg.EventLogRecord | None:
    import dagster as dg

    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=key, asset_partitions=[partition] if partition is not None else None
        ),
        limit=1,
    ).records
    return records[0] if records else None


def _latest_build(
    instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None
) -> str | None:
    record = _latest_record(instance, key, partition)
    return record.run_id if record else None


def _built_slice(
    name: str, record: dg.EventLogRecord, run: dg.DagsterRun, partition: str | None
) -> BuiltSlice:
    """What the build recorded: the warehouse (run tag), its table and row count (metadata)."""
    from via_pipeline.core.warehouse.survey import BuiltSlice

    materialisation = record.asset_materialization
    metadata = materialisation.metadata if materialisation else {}
    table = metadata.get("warehouse_table")
    rows = metadata.get("dagster/row_count")
    return BuiltSlice(
        asset=name,
        warehouse_id=run.tags.get(WAREHOUSE_ID_TAG),
        table=str(table.value) if table is not None else None,
        partition=partition,
        row_count=int(rows.value) if rows is not None and rows.value is not None else None,  # type: ignore[arg-type]
    )


def plan_build(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    year: int,
    own_inputs: Mapping[str, list[str]],
    code: str,
    force: bool,
    survey: Survey | None = None,
) -> BuildPlan:
    """The plan: every materialisable asset of the job, run unless unchanged since its last build
    (and, when `survey` reads the warehouse, still there as that build left it)."""
    import dagster as dg

    from via_pipeline.core.runs.input_versions import asset_input_versions

    graph = job.asset_layer.asset_graph
    keys = sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string())
    parents = {
        k.to_user_string(): [p.to_user_string() for p in graph.get(k).parent_keys] for k in keys
    }
    versions = asset_input_versions(own_inputs, parents, code)
    runs: dict[str, dg.DagsterRun | None] = {}
    unchanged: dict[str, str] = {}
    built: list[BuiltSlice] = []
    for key in keys if not force else ():
        name = key.to_user_string()
        partition = str(year) if graph.get(key).is_partitioned else None
        record = _latest_record(instance, key, partition)
        if record is None:
            continue
        run_id = record.run_id
        if run_id not in runs:
            runs[run_id] = instance.get_run_by_id(run_id)
        run = runs[run_id]
        if run is None or run.status != dg.DagsterRunStatus.SUCCESS:
            continue
        recorded = json.loads(run.tags.get(INPUT_VERSIONS_TAG, "{}")).get(name)
        if recorded == versions[name]:
            unchanged[name] = run_id
            built.append(_built_slice(name, record, run, partition))
    rebuilt: dict[str, str] = {}
    if survey is not None and built:
        from via_pipeline.core.warehouse.survey import slice_reason

        found = survey(built)
        for slice_ in built:
            reason = slice_reason(slice_, found)
            if reason is not None:
                rebuilt[slice_.asset] = reason
                unchanged.pop(slice_.asset, None)
    # Assets computed together run together.
    for key in keys:
        together = [k.to_user_string() for k in graph.get(key).execution_set_asset_keys]
        if any(name not in unchanged for name in together):
            for name in together:
                unchanged.pop(name, None)
    order = [k.to_user_string() for k in graph.toposorted_asset_keys]
    to_run = tuple(n for n in order if n in parents and n not in unchanged)
    return BuildPlan(versions=versions, to_run=to_run, unchanged=unchanged, rebuilt=rebuilt)


def own_inputs(
    instance: dg.DagsterInstance,
    year: int,
    inbox_dir: Path,
    warn: Callable[[str], None],
    with_cbs: bool = True,
) -> dict[str, list[str]]:
    """What each asset reads beyond its parents of the same year: CBS for the observed source,
    the year's inbox files for the intake, and the build of last year's actions for progress
    across years (which compares with them)."""
    import dagster as dg

    from via_pipeline.core.partners.intake import taken_in_by
    from via_pipeline.core.runs.input_versions import inbox_version
    from via_pipeline.defs.partners.assets import reporting_years

    years = reporting_years()

    def inbox_of(reporting_year: int) -> str:
        return inbox_version(inbox_dir, lambda name: taken_in_by(name, reporting_year, years))

    # A job without CBS assets (the partners' intake) does not ask CBS for its versions.
    inputs: dict[str, list[str]] = {STATLINE: [cbs_version(warn)]} if with_cbs else {}
    for name in INTAKE_ASSETS:
        inputs[name] = [f"inbox {year}: {inbox_of(year)}"]
    actions = dg.AssetKey.from_user_string(PARTNERS_ACTIONS)
    inputs[ACROSS_YEARS] = [
        f"actions {earlier} built in run {_latest_build(instance, actions, str(earlier))}"
        for earlier in years
        if earlier < year
    ]
    return inputs


def plan_for(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    settings: Settings,
    year: int,
    *,
    force: bool,
    warn: Callable[[str], None],
) -> BuildPlan:
    """The plan of the job for the year, from the inputs as they are now."""
    from via_pipeline.core.runs.input_versions import code_version

    graph = job.asset_layer.asset_graph
    reads_cbs = any(key.to_user_string() == STATLINE for key in graph.get_all_asset_keys())
    inputs = own_inputs(instance, year, settings.inbox_dir, warn, with_cbs=reads_cbs)
    if any(key.to_user_string() == SENT_LETTERS_READER for key in graph.get_all_asset_keys()):
        from via_pipeline.core.letter.releases.files import sent_version

        inputs[SENT_LETTERS_READER] = [
            f"sent before {year}: {sent_version(settings.data_dir, year)}"
        ]
    return plan_build(
        job,
        instance,
        year,
        inputs,
        code_version(),
        force,
        survey=lambda built: survey_of(settings, built, warn),
    )


def survey_of(
    settings: Settings, built: list[BuiltSlice], warn: Callable[[str], None]
) -> WarehouseSurvey:
    """The warehouse read for the plan, read-only. DuckDB lets no reader in while another run
    writes: then the plan waits for the write lease and reads under it."""
    from via_pipeline.core.runs.lease import duckdb_lock_holder, write_lease
    from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
    from via_pipeline.core.warehouse.survey import survey_warehouse

    reader = WarehouseStore(settings.warehouse_url, read_only=True)
    try:
        return survey_warehouse(reader, built)
    except WarehouseError as error:
        if reader.dialect != "duckdb" or duckdb_lock_holder(str(error)) is None:
            raise
    finally:
        reader.dispose()
    store = WarehouseStore(settings.warehouse_url)
    try:
        with write_lease(
            store, "via-pipeline run (plan)", settings.warehouse_lock_wait_seconds, report=warn
        ):
            return survey_warehouse(store, built)
    finally:
        store.dispose()
