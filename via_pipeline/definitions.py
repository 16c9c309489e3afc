"""The code location: every module under via_pipeline/defs/, plus what holds for all of it."""

import warnings
from pathlib import Path

import dagster as dg

import via_pipeline.defs
from via_pipeline.defs.orchestration.automation import apply_orchestration_policies

# The defs folder loaded as `dg.load_from_defs_folder` loads it, minus two costs of that stock
# entry point that build no part of this graph (about a third of the load, docs/performance.md):
# parsing pyproject.toml with tomlkit to find `via_pipeline.defs` (named here), and scanning
# every installed distribution's entry points to attach Dagster's catalogue of plugin component
# types as repository metadata (this project defines no components).
# integration/test_definitions_graph.py checks the graph equals the stock loader's.
_tree = dg.ComponentTree.from_module(
    defs_module=via_pipeline.defs, project_root=Path(__file__).parent.parent
)

# Automation for monitor and letter assets, freshness for CBS and letter assets: by group, from
# config/orchestration.yaml (defs/orchestration/automation.py). The module loader and
# map_asset_specs are marked preview in Dagster 1.13 (load_from_defs_folder silences the same
# warnings); they would print on every CLI call and code-server start.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.PreviewWarning)
    warnings.simplefilter("ignore", dg.BetaWarning)
    # In-process by default: the embedded DuckDB warehouse takes one writing process at a
    # time, and a subprocess per step would re-import the code location for every asset.
    defs = dg.Definitions.merge(
        _tree.build_defs_at_path(Path(".")),
        dg.Definitions(executor=dg.in_process_executor, component_tree=_tree),
    ).map_asset_specs(func=apply_orchestration_policies())
