"""Jobs that span domains. `via-pipeline run --year` executes via_yearly_build_job in-process."""

import dagster as dg

from via_pipeline.defs.partitions import reporting_year_partitions

# Everything, for one reporting year: CBS and monitor assets are unpartitioned (full
# history) and run once; partner and letter assets run for the year's partition.
via_yearly_build_job = dg.define_asset_job(
    name="via_yearly_build_job",
    selection=dg.AssetSelection.all(),
    partitions_def=reporting_year_partitions,
    description="The whole monitoring build for one reporting year: CBS, metrics, partner files, letter annex.",
)
