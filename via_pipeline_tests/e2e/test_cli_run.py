"""`via-pipeline run` then `status`, as an operator runs them: offline, through a persistent instance."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "via_pipeline.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_run_builds_the_year_offline_and_status_reports_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        "VIA_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
    }
    result = run_cli("run", "--year", "2023", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    # Progress while running, one line per step and materialisation.
    assert "-> cbs_tables_and_observations" in out
    assert "   materialised monitor/gaps:" in out
    assert "   check cbs/observations percentages_within_bounds: passed" in out
    # The summary names what was written, and where.
    assert "succeeded" in out
    warehouse = data_dir / "warehouse.duckdb"
    assert f"warehouse (duckdb:///{warehouse}):" in out
    assert "  partners.registry: 21 rows" in out
    annex = data_dir / "output" / "2023" / "voortgang_via_2023_bijlage.docx"
    assert f"  {annex}" in out
    assert annex.stat().st_size > 10_000
    # Great Expectations stays quiet: no logger lines (its docs-folder INFO), no tqdm bars,
    # neither in the output nor in the run's log file.
    run_logs = "".join(p.read_text() for p in (tmp_path / "dagster_home" / "logs").glob("*.log"))
    for text in (out, result.stderr, run_logs):
        assert "great_expectations" not in text
        assert "Created temporary directory" not in text
        assert "it/s]" not in text

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        sources = conn.execute(
            "SELECT table_id, source FROM cbs.tables ORDER BY table_id"
        ).fetchall()
        schemata = conn.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
        gaps = conn.execute("SELECT count(*) FROM monitor.gaps").fetchone()[0]
    assert sources == [("82809NED", "snapshot"), ("85456NED", "snapshot")]
    assert {"cbs", "monitor", "partners", "letter", "quality"} <= {row[0] for row in schemata}
    assert f"  monitor.gaps: {gaps} rows" in out

    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    gaps_line = next(line for line in lines if line.startswith("monitor/gaps "))
    assert "never" not in gaps_line
    assert any(
        line.startswith("letter/annex ") and line.rstrip().endswith("2023") for line in lines
    )
    assert any(line.startswith("  CBS 82809NED from snapshot") for line in lines)
