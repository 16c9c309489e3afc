"""Jobs that span domains. `via-pipeline run --year` executes via_yearly_build_job in-process.

Every job that writes the warehouse carries WAREHOUSE_WRITER_TAGS: deploy/dagster.yaml lets one
such run at a time through the queue (DuckDB takes one writing process; see docs/deployment.md).
"""

import dagster as dg

from via_pipeline.defs.warehouse.resources import Warehouse

WAREHOUSE_WRITER_TAG = "via/warehouse"
WAREHOUSE_WRITER_TAGS = {WAREHOUSE_WRITER_TAG: "write"}

# Everything, for one reporting year: CBS and monitor assets are unpartitioned (full
# history) and run once; partner and letter assets run for the year's partition
# (reporting_year_partitions, which the job takes from them).
via_yearly_build_job = dg.define_asset_job(
    name="via_yearly_build_job",
    selection=dg.AssetSelection.all(),
    description=(
        "The whole monitoring build for one reporting year: "
        "CBS, metrics, partner files, letter annex."
    ),
    tags=WAREHOUSE_WRITER_TAGS,
)

# The weekly CBS change check: CBS tables (downloaded again only when their Modified date
# changed) and the monitor tables built from them. Unpartitioned: full history every time.
cbs_refresh_job = dg.define_asset_job(
    name="cbs_refresh_job",
    selection=dg.AssetSelection.groups("cbs", "monitor"),
    description="Refresh the CBS tables whose Modified date changed; rebuild the monitor tables.",
    tags=WAREHOUSE_WRITER_TAGS,
)

# Partner files for one reporting year: the registry, then the submissions in the inbox.
partners_submission_job = dg.define_asset_job(
    name="partners_submission_job",
    selection=dg.AssetSelection.groups("partners"),
    description="Validate, store and archive the partner files of one reporting year.",
    tags=WAREHOUSE_WRITER_TAGS,
)


@dg.op(tags={"kind": "sql"})
def apply_warehouse_migrations(context: dg.OpExecutionContext, warehouse: Warehouse) -> list[str]:
    """Apply the migrations under sql/migrations not yet recorded in the warehouse."""
    store = warehouse.store
    applied = store.migrate()
    versions = store.applied_migrations()
    context.add_output_metadata(
        {
            "warehouse": store.redacted_url,
            "applied_now": ", ".join(applied) or "none",
            "migrations": ", ".join(versions),
        }
    )
    return applied


# Small and offline: operators run it from the UI before a first build or after an upgrade,
# and the end-to-end test launches it through the webserver's GraphQL API.
@dg.job(tags=WAREHOUSE_WRITER_TAGS)
def warehouse_migrate_job() -> None:
    """Bring the warehouse schema up to date (the same as `via-pipeline migrate`)."""
    apply_warehouse_migrations()
