"""A file accepted by the portal is taken by the next `via-pipeline run`, its actions in partners.actions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from via_pipeline_tests.support.partners import csv_bytes, numbered_rows
from via_pipeline_tests.support.portal import PortalUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_an_accepted_upload_is_taken_by_the_next_run(offline_environment: Path) -> None:
    portal = PortalUnderTest(offline_environment)
    client = portal.client()
    client.get(portal.invite("fnv", 2023))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert csrf
    content = csv_bytes(numbered_rows("fnv", 2023, 4), delimiter=";")
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf.group(1)},
        files={"file": ("Voortgang FNV 2023.csv", content, "text/csv")},
        headers={"origin": "http://testserver"},
    )
    assert answer.status_code == 200, answer.text
    (upload,) = portal.records.uploads()
    assert (upload.verdict, upload.stored_name) == ("accepted", "fnv_2023.csv")

    result = subprocess.run(
        [sys.executable, "-m", "via_pipeline.cli", "run", "--year", "2023"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    warehouse = duckdb.connect(str(offline_environment / "warehouse.duckdb"), read_only=True)
    try:
        submitted = warehouse.execute(
            "SELECT file_name, status, sha256, action_count FROM partners.submissions "
            "WHERE partner_id = 'fnv' AND reporting_year = 2023"
        ).fetchall()
        actions = warehouse.execute(
            "SELECT action_id FROM partners.actions WHERE partner_id = 'fnv' "
            "AND reporting_year = 2023 ORDER BY action_id"
        ).fetchall()
    finally:
        warehouse.close()
    assert submitted == [("fnv_2023.csv", "accepted", upload.sha256, 4)]
    assert [row[0] for row in actions] == ["1", "2", "3", "4"]
