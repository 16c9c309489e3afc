"""What goes wrong around a run ends in one line naming the setting or the cause (issue 17)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline_tests.support.cli_processes import CliProcess, cli_env, run_cli
from via_pipeline_tests.support.partners import csv_bytes, drop_in_inbox, valid_rows

# `via-pipeline run` with every archive write landing on a full disk (/dev/full answers every
# write with ENOSPC), as a partner file is archived.
RUN_ON_A_FULL_DISK = """
import os, sys, tempfile
real_mkstemp = tempfile.mkstemp
def mkstemp_on_a_full_disk(*args, **kwargs):
    handle, path = real_mkstemp(*args, **kwargs)
    if kwargs.get("prefix") == ".incoming-":
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, handle)
        os.close(full)
    return handle, path
tempfile.mkstemp = mkstemp_on_a_full_disk
from via_pipeline.cli import main
sys.exit(main(["run", "--year", "2023"]))
"""
SECRET = "s3cr3t"


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_refused_year_creates_nothing(tmp_path: Path) -> None:
    result = run_cli("run", "--year", "2021", env=cli_env(tmp_path))
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        "via-pipeline: configuration error: --year 2021: not a reporting year of the "
        f"Werkagenda; choose 2022 to {reporting_year_partitions.get_last_partition_key()}"
    )
    assert list(tmp_path.iterdir()) == []  # no warehouse, no DAGSTER_HOME


def test_dagster_home_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "dagster_home"
    a_file.write_text("", encoding="utf-8")
    result = run_cli("status", env=cli_env(tmp_path))
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        f"via-pipeline: configuration error: DAGSTER_HOME: {a_file} is a file, not a folder"
    )


@pytest.mark.postgres
def test_postgresql_url_without_driver_uses_the_default_driver(
    postgres_url: str, tmp_path: Path
) -> None:
    without_driver = make_url(postgres_url).set(drivername="postgresql")
    url = without_driver.render_as_string(hide_password=False)
    result = run_cli("migrate", env=cli_env(tmp_path, url))
    assert result.returncode == 0, result.stderr
    assert "applied 0010_create_quality_runs.sql" in result.stdout
    assert result.stderr == ""


def test_first_ever_commands_racing_on_a_fresh_dagster_home(tmp_path: Path) -> None:
    """Without the set-up lock one of them failed about every other time (sqlite: "table
    secondary_indexes already exists", "UNIQUE constraint failed: alembic_version")."""
    env = cli_env(tmp_path)
    racers = [CliProcess("status", env=env) for _ in range(2)]
    results = [racer.finish() for racer in racers]
    for code, out, err in results:
        assert (code, err) == (0, ""), out + err
        assert "Dagster instance:" in out


def test_a_full_disk_ends_in_its_cause_and_a_log(warehouse_url: str, tmp_path: Path) -> None:
    """On PostgreSQL the URL carries a password (trust ignores it): no file or line may show it."""
    if warehouse_url.startswith("postgresql"):
        warehouse_url = make_url(warehouse_url).set(password=SECRET).render_as_string(False)
    env = cli_env(tmp_path, warehouse_url)
    inbox = tmp_path / "data" / "inbox"
    drop_in_inbox(inbox, "abu_2023.csv", csv_bytes(valid_rows("abu", 2023), delimiter=";"))
    result = CliProcess(env=env, command=[sys.executable, "-c", RUN_ON_A_FULL_DISK])
    code, out, err = result.finish()
    assert code == 1, out + err
    assert err == ""
    last = out.strip().splitlines()[-1]
    match = re.fullmatch(
        r"step failed: partners_intake: No space left on device: (?P<folder>\S+) "
        r"\(traceback in (?P<log>\S+)\)",
        last,
    )
    assert match, out
    # The disk is the machine's problem, not the partner's file: named, never "niet leesbaar".
    assert Path(match["folder"]) == tmp_path / "data" / "archive"
    assert "niet leesbaar" not in out
    log = Path(match["log"])
    assert log.parent == tmp_path / "dagster_home" / "logs"
    assert "OSError: [Errno 28] No space left on device" in log.read_text(encoding="utf-8")
    # Nothing half-written in the archive, and the failure is traced in the warehouse.
    assert [path.name for path in (tmp_path / "data" / "archive").iterdir()] == []
    store = WarehouseStore(warehouse_url, read_only=True)
    runs = store.read("SELECT status, cause, log_file FROM quality.runs")
    failures = store.read("SELECT failed_steps, error_message FROM quality.run_failures")
    store.dispose()
    assert runs.values.tolist() == [["failed", last, str(log)]]
    assert failures.values.tolist() == [["partners_intake", last]]

    rerun = run_cli("run", "--year", "2023", env=env)  # the disk has room again
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "partners.submissions [2023]: 1 rows" in rerun.stdout
    assert SECRET not in out + rerun.stdout + rerun.stderr
    leaking = [
        str(path)
        for path in tmp_path.rglob("*")
        if path.is_file() and SECRET.encode() in path.read_bytes()
    ]
    assert leaking == []
