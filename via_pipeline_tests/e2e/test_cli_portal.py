"""`via-pipeline portal invite / revoke / list`: links printed once, refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.cli import main


def test_invite_revoke_and_list(
    capsys: pytest.CaptureFixture[str], offline_environment: Path
) -> None:
    # 2026-12-04: the deadline of 2026 (15 September) has passed, so only the coordinator link.
    assert main(["portal", "invite", "--partner", "abu", "--year", "2022"]) == 2
    assert capsys.readouterr().err == (
        "via-pipeline: portal invite: the submission deadline of 2022 (2022-09-15 23:59 "
        "Europe/Amsterdam) has passed; set a later one under `deadlines:` in config/portal.yaml\n"
    )
    assert main(["portal", "invite", "--year", "2022"]) == 2
    assert "give --partner and --year, or --coordinator" in capsys.readouterr().err
    assert (
        main(["portal", "invite", "--coordinator", "--base-url", "https://portal.example.nl"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("coordinator link, valid until ")
    assert out[1].startswith("https://portal.example.nl/l/") and len(out[1]) == 28 + 43
    assert (offline_environment / "portal" / "portal.sqlite3").is_file()

    assert main(["portal", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("coordinator: link 1 active, made ") and out[1][28:] not in listing
    assert main(["portal", "revoke", "--coordinator"]) == 0
    assert capsys.readouterr().out == "1 link(s) of the coordinator revoked\n"
    assert main(["portal", "revoke", "--partner", "abu", "--year", "2026"]) == 0
    assert capsys.readouterr().out == "no active link of abu 2026\n"
    assert main(["portal", "list"]) == 0
    assert "coordinator: link 1 revoked" in capsys.readouterr().out
