"""A letter with quarters reproduced after CBS revises a quarter (issues 22 and 24), on both
engines: with a replay of 85456NED holding 2023 Q1-Q3, `run --year 2023` writes the quarterly
sentence, the letter is approved, CBS publishes a new version with 2023 Q2 revised (Buiten
Europa +0.9), the next run changes the concept's sentence, and `letter reproduce --year 2023`
rebuilds the sent files byte for byte from the kept quarterly vintage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from via_pipeline.cli import main
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.integration.cbs.test_ingest import point_at
from via_pipeline_tests.integration.cbs.test_quarter_vintages import served
from via_pipeline_tests.support.cbs_replay import CbsReplayServer

pytestmark = [pytest.mark.slow]
SENT_VERSION = "2023-11-15T02:00:00"
REVISED_VERSION = "2023-12-15T02:00:00"


def digests(folder: Path) -> dict[str, str]:
    """The VIA letter's files (the quarters are its key figures; the statushouders letter of
    2023 in the same folder is its own release)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name.startswith("voortgang_via_")
    }


def quarterly_sentence(folder: Path) -> str:
    text = (folder / "voortgang_via_2023_bijlage.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "kwartalen van 2023" in line]
    assert lines, text
    return lines[0]


def test_a_letter_with_quarters_is_reproduced_after_cbs_revises_a_quarter(
    store: WarehouseStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    offline_environment: Path,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("VIA_WAREHOUSE_URL", store.url)
    with CbsReplayServer(served(SENT_VERSION, 0.0)) as server:
        point_at(monkeypatch, server.catalog_url, "live")
        assert main(["run", "--year", "2023"]) == 0, capsys.readouterr().out
        output = offline_environment / "output" / "2023"
        sent_sentence = quarterly_sentence(output)
        assert main(["letter", "approve", "--year", "2023", "--by", "J. Jansen"]) == 0, (
            capsys.readouterr().out
        )
        sent = offline_environment / "sent" / "2023"
        as_sent = digests(sent)
        assert as_sent == digests(output)

        server.recording["85456NED"] = served(REVISED_VERSION, 0.9)["85456NED"]
        capsys.readouterr()
        assert main(["run", "--year", "2023"]) == 0, capsys.readouterr().out
    # Today's quarters are the revised ones and the concept says so; the sent files stay.
    assert set(store.read_table("cbs.quarterly_observations")["source_version"]) == {
        f"modified:{REVISED_VERSION}"
    }
    assert quarterly_sentence(output) != sent_sentence
    assert digests(sent) == as_sent

    capsys.readouterr()
    out = tmp_path / "reproduced"
    code = main(["letter", "reproduce", "--year", "2023", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"all {len(as_sent)} files are byte-identical to the ones sent" in printed
    assert digests(out) == as_sent
    assert quarterly_sentence(out) == sent_sentence
