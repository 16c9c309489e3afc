"""`via-pipeline letter approve` and `letter verify` as an operator runs them, offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_approve_then_verify_from_the_command_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        "VIA_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
    }
    never = run_cli("letter", "approve", "--year", "2022", env=env)
    assert never.returncode == 1
    assert never.stdout.splitlines()[-1] == (
        "not approved: reporting year 2022 was never built: run `via-pipeline run --year 2022` first"
    )
    built = run_cli("run", "--year", "2022", env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    approved = run_cli("letter", "approve", "--year", "2022", "--by", "J. Jansen", env=env)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    sent = data_dir / "sent" / "2022"
    assert approved.stdout.startswith("approved: release 1 of 2022, approved ")
    assert f"  sent files, read-only: {sent}" in approved.stdout
    assert sorted(p.name for p in sent.iterdir()) == sorted(
        p.name for p in (data_dir / "output" / "2022").iterdir()
    )
    again = run_cli("letter", "approve", "--year", "2022", env=env)
    assert again.returncode == 1
    assert "was approved already (release 1 of 2022" in again.stdout

    ok = run_cli("letter", "verify", "--year", "2022", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().endswith(f"files in {sent} are as sent")
    docx = sent / "voortgang_via_2022_bijlage.docx"
    docx.chmod(0o644)
    docx.write_bytes(docx.read_bytes() + b"\0")
    changed = run_cli("letter", "verify", "--year", "2022", env=env)
    assert changed.returncode == 1
    assert f"changed: {docx} (its SHA-256 differs from the one sent)" in changed.stdout.splitlines()
