"""`via-pipeline run` as an operator sees a CBS figure that jumps: CBS served by the replay
server with 82809NED's published figures and one jump added here; the run succeeds (a warning
blocks nothing) and its output says the warning, one line per finding."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import table_85456
from via_pipeline_tests.support.published import published_82809, set_cell, with_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_jump_in_cbs_figures_is_a_warning_line_of_the_run(tmp_path: Path) -> None:
    recorded = with_empty(published_82809(), table_85456())
    set_cell(recorded, "Totaal", 2020, "Werkloosheidspercentage_21", 7.9)
    with CbsReplayServer(recorded) as server:
        env = {
            **os.environ,
            "VIA_DATA_DIR": str(tmp_path / "data"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "VIA_CBS_SOURCE": "live",
            "VIA_CBS_CATALOG_URL": server.catalog_url,
            "VIA_CBS_USE_HTTPS": "false",
        }
        result = subprocess.run(
            [sys.executable, "-m", "via_pipeline.cli", "run", "--year", "2023"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "   check monitor/indicators year_to_year_moves_within_limits: warning" in lines
    start = lines.index("warning: monitor/indicators year_to_year_moves_within_limits:")
    assert lines[start + 1 : start + 3] == [
        "  CBS 82809NED Werkloosheidspercentage, Totaal (hele bevolking 15 tot 75 jaar): "
        "2019 → 2020: 3,4 → 7,9 (4,5 procentpunten hoger in één jaar; meer dan 3,0 "
        "procentpunten)",
        "  CBS 82809NED Werkloosheidspercentage, Totaal (hele bevolking 15 tot 75 jaar): "
        "2020 → 2021: 7,9 → 4,2 (3,7 procentpunten lager in één jaar; meer dan 3,0 "
        "procentpunten)",
    ]
    assert "check failed" not in result.stdout
    assert "   materialised letter/annex [2023]" in result.stdout
