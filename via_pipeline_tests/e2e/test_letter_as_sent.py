"""Issue 22's done-when, on both engines, with CBS served by the replay server: build 2022,
approve it, CBS revises 85456NED (Buiten Europa 2022 6.4 -> 6.8), rebuild 2022. The sent files
stay as sent, letter.revisions and the run output name the revised figure (2,9 -> 3,3) with
its cause, `letter reproduce` rebuilds the sent files byte for byte from the kept vintage,
and the 2023 annex lists the revision under "Herzieningen sinds de vorige brief"."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.cbs_replay import CbsReplayServer, Recording
from via_pipeline_tests.support.cbs_tables import (
    Table,
    recording,
    revised,
    table_82809,
    table_85456,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The held totals of 85456NED and the two origin categories compared, by title.
HELD = {"Geslacht": "Totaal mannen en vrouwen", "Startkwalificatie": "Totaal"}
HELD_PARENTS = {"GeboortelandOuders": "Totaal"}
LABEL = "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde"


def served(table: Table, outside_2022: float) -> Recording:
    """The two tables as CBS serves them, 85456NED's 2022 unemployment rate at 3.5 for the
    total and `outside_2022` for Buiten Europa (found by titles, whatever the keys)."""
    answer = recording(table_82809(), table)
    keys = {d.key: {c.title: c.key for c in d.categories} for d in table.dimensions}
    measure = next(m.key for m in table.measures if m.title == "Werkloosheidspercentage")
    held = {d: keys[d][title] for d, title in {**HELD, **HELD_PARENTS}.items()}
    cells = {
        keys["Herkomstland"]["Totaal"]: 3.5,
        keys["Herkomstland"]["Buiten Europa"]: outside_2022,
    }
    for row in answer[table.table_id]["TypedDataSet"]:
        if row["Perioden"] == "2022JJ00" and all(row[d].strip() == k for d, k in held.items()):
            value = cells.get(row["Herkomstland"].strip())
            if value is not None:
                row[measure] = value
    return answer


def first_85456() -> Table:
    return dataclasses.replace(
        table_85456(), modified="2023-03-01T02:00:00", last_year=2022, provisional_years=(2022,)
    )


def revised_85456() -> Table:
    return dataclasses.replace(
        revised(first_85456()),
        modified="2024-03-01T02:00:00",
        last_year=2023,
        provisional_years=(2023,),
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_the_letter_as_sent_survives_a_cbs_revision(warehouse_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with CbsReplayServer(served(first_85456(), 6.4)) as server:
        env = {
            "VIA_DATA_DIR": str(data_dir),
            "VIA_WAREHOUSE_URL": warehouse_url,
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "VIA_CBS_SOURCE": "live",
            "VIA_CBS_CATALOG_URL": server.catalog_url,
            "VIA_CBS_USE_HTTPS": "false",
        }

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "via_pipeline.cli", *args],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=600,
            )

        first = cli("run", "--year", "2022")
        assert first.returncode == 0, first.stdout + first.stderr
        output = data_dir / "output" / "2022"
        markdown = output / "voortgang_via_2022_bijlage.md"
        assert "en het gemiddelde van de bevolking 2,9 procentpunten" in markdown.read_text(
            encoding="utf-8"
        )
        approved = cli("letter", "approve", "--year", "2022", "--by", "J. Jansen")
        assert approved.returncode == 0, approved.stdout + approved.stderr
        sent = data_dir / "sent" / "2022"
        as_sent = digests(sent)
        assert as_sent == digests(output)

        server.recording["85456NED"] = served(revised_85456(), 6.8)["85456NED"]
        rebuilt = cli("run", "--year", "2022")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        today = datetime.now(UTC).date().isoformat()
        line = (
            f"letter 2022 (verzonden {today}): {LABEL}, 2022: 2,9 → 3,3 (CBS 85456NED herzien "
            "op 1 maart 2024; 2022 was voorlopig, nu definitief)"
        )
        lines = rebuilt.stdout.splitlines()
        assert line in lines
        assert any(
            text.startswith("letter 2022 sent (release 1, ") and "revised since" in text
            for text in lines
        )
        assert f"warning: {line}: revised by 0.4 pp" in rebuilt.stdout
        # The working concept has today's figure; the sent files are as sent.
        assert "en het gemiddelde van de bevolking 3,3 procentpunten" in markdown.read_text(
            encoding="utf-8"
        )
        assert digests(sent) == as_sent
        assert cli("letter", "verify", "--year", "2022").returncode == 0

        store = WarehouseStore(warehouse_url, read_only=True)
        try:
            revisions = store.read(
                "SELECT sent_value, current_value, sent_source_version, current_source_version,"
                " cause FROM letter.revisions WHERE reporting_year = 2022 AND period = 2022 AND "
                "figure_key = 'werkloosheid_buiten_europa_vs_bevolking'"
            )
        finally:
            store.dispose()
        (row,) = revisions.to_dict("records")
        assert (round(row["sent_value"], 1), round(row["current_value"], 1)) == (2.9, 3.3)
        assert row["sent_source_version"] == "modified:2023-03-01T02:00:00"
        assert row["current_source_version"] == "modified:2024-03-01T02:00:00"
        assert row["cause"] == (
            "CBS 85456NED herzien op 1 maart 2024; 2022 was voorlopig, nu definitief"
        )

        # Reproduced from the kept vintage: byte-identical to what was sent.
        out = tmp_path / "reproduced"
        reproduced = cli("letter", "reproduce", "--year", "2022", "--out", str(out))
        assert reproduced.returncode == 0, reproduced.stdout + reproduced.stderr
        assert f"all {len(as_sent)} files are byte-identical to the ones sent" in reproduced.stdout
        assert digests(out) == as_sent

        # The next letter reports the revision.
        later = cli("run", "--year", "2023")
        assert later.returncode == 0, later.stdout + later.stderr
        annex = data_dir / "output" / "2023" / "voortgang_via_2023_bijlage.md"
        text = annex.read_text(encoding="utf-8")
        section = text.split("## Herzieningen sinds de vorige brief", 1)[1].split("\n## ", 1)[0]
        assert "Sinds de brief over 2022 (verzonden op " in section
        assert (
            f"{LABEL}, 2022: in de vorige brief 2,9 procentpunten, nu 3,3 procentpunten. Reden: "
            "CBS 85456NED herzien op 1 maart 2024; 2022 was voorlopig, nu definitief."
        ) in section
        word = Document(str(annex.with_suffix(".docx")))
        paragraphs = [p.text for p in word.paragraphs]
        assert "Herzieningen sinds de vorige brief" in paragraphs
        assert any("2,9 procentpunten, nu 3,3 procentpunten" in p for p in paragraphs)

        status = cli("status")
        assert status.returncode == 0, status.stderr
        assert any(
            text.startswith("letter 2022 sent (release 1, ") for text in status.stdout.splitlines()
        )
