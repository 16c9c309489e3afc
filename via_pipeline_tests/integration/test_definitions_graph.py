"""Guards the fast code-location loader: via_pipeline.definitions must give exactly the graph
Dagster's stock `dg.load_from_defs_folder` gives (assets, checks, groups, owners, descriptions,
metadata keys, automation, jobs, schedules, sensors, resources), computed from both each time
rather than from a list kept by hand; and `dagster definitions validate` still passes."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.definitions import defs
from via_pipeline.defs.orchestration.automation import apply_orchestration_policies
from via_pipeline_tests.support.graph_summary import graph_summary


def _stock_definitions() -> dg.Definitions:
    """The code location as definitions.py built it before the fast loader."""
    import via_pipeline.definitions as ours

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        stock = dg.Definitions.merge(
            dg.load_from_defs_folder(path_within_project=Path(ours.__file__).parent),
            dg.Definitions(executor=dg.in_process_executor),
        )
        return stock.map_asset_specs(func=apply_orchestration_policies())


def test_graph_equals_the_stock_loaders() -> None:
    ours, stock = graph_summary(defs), graph_summary(_stock_definitions())
    assert ours["assets"].keys() == stock["assets"].keys()
    for key, spec in stock["assets"].items():
        assert ours["assets"][key] == spec, key
    assert ours == stock
    # Not trivially equal: the graph holds the code location's assets and checks.
    assert "letter/annex" in ours["assets"]
    assert ours["assets"]["cbs/observations"]["owners"] == ["team:via-data"]
    assert ours["checks"]["cbs/observations:percentages_within_bounds"]["blocking"] is True
    assert ours["executor"] == "in_process"


def test_only_the_plugin_catalogue_metadata_is_left_out() -> None:
    """The stock loader attaches Dagster's installed component types (no part of this graph)."""
    stock_metadata = set(_stock_definitions().metadata or {})
    assert stock_metadata - set(defs.metadata or {}) <= {"plugin_component_types_json"}
    assert defs.component_tree is not None


def test_definitions_validate_passes(tmp_path: Path) -> None:
    dagster = str(Path(sys.executable).parent / "dagster")
    result = subprocess.run(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Validation successful for code location via_pipeline" in result.stdout + result.stderr
