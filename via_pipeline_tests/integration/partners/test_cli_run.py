"""The README's "try it" flow for a year where partners share action ids: copy the examples and two
partners' 2024 files (both numbered from 1) into the inbox, then `via-pipeline run --year 2024`
at once. The run takes the fresh copies once settled (default quiet period), takes both in,
passes the year's suite and writes the annex (issue 13, finding 1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline_tests.support.partners import csv_bytes, numbered_rows, xlsx_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_two_partners_numbering_from_one_get_the_annex_written(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    for example in sorted((REPO_ROOT / "examples" / "submissions").glob("*_20*.*")):
        shutil.copy(example, inbox / example.name)
    (inbox / "abu_2024.csv").write_bytes(
        csv_bytes(numbered_rows("abu", 2024, 4), delimiter=";", encoding="cp1252")
    )
    (inbox / "fnv_2024.xlsx").write_bytes(
        xlsx_bytes(numbered_rows("fnv", 2024, 3, excel_cells=True))
    )
    env = {
        **os.environ,
        "VIA_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
        "VIA_INBOX_QUIET_SECONDS": "10",  # the default: the files above were written just now
    }
    result = subprocess.run(
        [sys.executable, "-m", "via_pipeline.cli", "run", "--year", "2024"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    # Taken only once settled (how long the run waited depends on how fast it got there).
    assert "    accepted abu_2024.csv" in out and "    accepted fnv_2024.xlsx" in out
    assert "   check partners/actions actions_meet_submission_suite: passed" in out
    annex = data_dir / "output" / "2024" / "voortgang_via_2024_bijlage.docx"
    assert f"  {annex}" in out and annex.stat().st_size > 10_000
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as conn:
        shared = conn.execute(
            "SELECT partner_id FROM partners.actions WHERE reporting_year = 2024 "
            "AND action_id = '1' ORDER BY partner_id"
        ).fetchall()
    # The examples' own 2024 files may number from 1 too; the two written here must both be in.
    assert {("abu",), ("fnv",)} <= set(shared)
