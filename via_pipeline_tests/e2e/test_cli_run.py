"""`via-pipeline run` then `status`, as an operator runs them: offline, through a persistent instance."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
ALL_ASSETS = {
    "cbs/observations",
    "cbs/tables",
    "letter/action_progress",
    "letter/agenda_progress",
    "letter/annex",
    "letter/key_figures",
    "letter/partner_reporting",
    "letter/progress_movements",
    "letter/theme_progress",
    "monitor/gaps",
    "monitor/indicators",
    "monitor/quarterly_gaps",
    "monitor/quarterly_indicators",
    "monitor/trends",
    "partners/actions",
    "partners/registry",
    "partners/rejections",
    "partners/submissions",
}


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
    # Every programme running in 2023 gets its letter: Statushouders aan het werk its own files.
    statushouders = annex.parent / "voortgang_statushouders_2023_bijlage.docx"
    assert f"  {statushouders}" in out and statushouders.stat().st_size > 10_000
    # Offline, the n.b. of the annex are the snapshot's: the last lines count them and say how
    # to fill them; the annex never says CBS published nothing; no placeholder key is shown.
    snapshot_line = (
        "reporting year 2023: on the snapshot recorded on 2026-11-30, 8 of 9 key figures are "
        "not available; run `via-pipeline cbs record` with network to fill them."
    )
    assert out.splitlines()[-1] == snapshot_line
    assert "UNCONFIRMED" not in out
    markdown = (annex.parent / "voortgang_via_2023_bijlage.md").read_text(encoding="utf-8")
    assert "CBS heeft in tabel" not in markdown
    assert "de meegeleverde momentopname van tabel 85456NED bevat geen cijfer over 2013" in markdown
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
    assert lines[-1] == snapshot_line

    # The same command again, nothing changed: no run, no suite, no row written, and every
    # asset named as unchanged since the first run.
    def counts() -> tuple[int, int]:
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            checks = conn.execute("SELECT count(*) FROM quality.validation_results").fetchone()
            runs = conn.execute("SELECT count(*) FROM quality.runs").fetchone()
        return checks[0], runs[0]

    before = counts()
    first_run = next(line for line in out.splitlines() if line.startswith("run ")).split()[1]
    again = run_cli("run", "--year", "2023", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    unchanged = {
        line.split(": ", 1)[1]
        for line in again.stdout.splitlines()
        if line.startswith(f"unchanged since run {first_run[:8]}")
    }
    assert unchanged == ALL_ASSETS
    assert "nothing changed for reporting year 2023: no run" in again.stdout
    assert "-> " not in again.stdout and "materialised" not in again.stdout
    assert counts() == before

    # One partner file of 2023 arrives: exactly the year's intake and the letter assets
    # built from partner actions rebuild.
    (data_dir / "inbox").mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "abu_2023.csv", data_dir / "inbox" / "abu_2023.csv")
    third = run_cli("run", "--year", "2023", env={**env, "VIA_INBOX_QUIET_SECONDS": "0"})
    assert third.returncode == 0, third.stdout + third.stderr
    rebuilt = {
        line.split()[1].rstrip(":")
        for line in third.stdout.splitlines()
        if line.startswith("   materialised ")
    }
    # letter/key_figures reads CBS and monitor tables only: it stays as it was.
    assert rebuilt == {
        "partners/submissions",
        "partners/actions",
        "partners/rejections",
        "letter/partner_reporting",
        "letter/theme_progress",
        "letter/action_progress",
        "letter/progress_movements",
        "letter/agenda_progress",
        "letter/annex",
    }
    assert "  partners.actions [2023]: 3 rows" in third.stdout


def test_a_run_takes_in_last_years_files_first(tmp_path: Path) -> None:
    """README's "Try it": every example file in the inbox, then only `run --year 2024`. The 2023
    files are taken in first, so the progress of 2024 compares with 2023's actions."""
    data_dir = tmp_path / "data"
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    for example in [*EXAMPLES.glob("*.csv"), *EXAMPLES.glob("*.xlsx")]:
        shutil.copy2(example, inbox / example.name)
    env = {
        "VIA_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
    }
    result = run_cli("run", "--year", "2024", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    first = lines.index(
        "taking in the inbox files of 2023 first: the progress of 2024 compares with 2023's actions"
    )
    runs = [line for line in lines[first:] if line.startswith("running ")]
    assert runs[0].startswith("running partners_submission_job for reporting year 2023")
    assert runs[1].startswith("running via_yearly_build_job for reporting year 2024")
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as conn:
        taken_in = conn.execute(
            "SELECT reporting_year, count(DISTINCT partner_id) FROM partners.actions "
            "GROUP BY reporting_year ORDER BY reporting_year"
        ).fetchall()
        compared = conn.execute(
            "SELECT count(*) FROM letter.action_progress WHERE reporting_year = 2024 "
            "AND partner_reported_previous AND previous_status IS NOT NULL"
        ).fetchone()[0]
    assert taken_in == [(2023, 3), (2024, 2)]  # ABU, UWV, VNG in 2023; ABU and VNG in 2024
    assert compared > 0

    # Again: the 2023 files are taken in already, so no 2023 run.
    again = run_cli("run", "--year", "2024", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "taking in the inbox files of 2023" not in again.stdout
    assert "nothing changed for reporting year 2024: no run" in again.stdout
