"""The code location: every module under via_pipeline/defs/, plus what holds for all of it."""

import warnings
from pathlib import Path

import dagster as dg

from via_pipeline.defs.orchestration.automation import apply_orchestration_policies

# In-process by default: the embedded DuckDB warehouse takes one writing process at a time,
# and a subprocess per step would re-import the code location for every asset.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(executor=dg.in_process_executor),
)

# Automation for monitor and letter assets, freshness for CBS and letter assets: by group, from
# config/orchestration.yaml (defs/orchestration/automation.py). map_asset_specs is marked
# preview in Dagster 1.13; its warning would print on every CLI call and code-server start.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.PreviewWarning)
    defs = defs.map_asset_specs(func=apply_orchestration_policies())
