"""`via-pipeline letter approve`, `verify` and `reproduce` as an operator runs them, offline,
with the example partner files: refusals, an erratum after a partner's new file, and the first
release reproduced byte for byte from the archived files although a later file replaced them;
the statushouders letter approved and verified on its own (--programme)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"


def test_approve_verify_supersede_and_reproduce(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    inbox = data_dir / "inbox"
    inbox.mkdir(parents=True)
    for example in [*EXAMPLES.glob("*.csv"), *EXAMPLES.glob("*.xlsx")]:
        shutil.copy2(example, inbox / example.name)
    env = {
        "VIA_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
        "VIA_INBOX_QUIET_SECONDS": "0",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "via_pipeline.cli", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )

    never = cli("letter", "approve", "--year", "2024")
    assert never.returncode == 1
    assert never.stdout.splitlines()[-1] == (
        "not approved: reporting year 2024 was never built: run `via-pipeline run --year 2024` first"
    )
    built = cli("run", "--year", "2024")
    assert built.returncode == 0, built.stdout + built.stderr
    approved = cli("letter", "approve", "--year", "2024", "--by", "J. Jansen")
    assert approved.returncode == 0, approved.stdout + approved.stderr
    sent = data_dir / "sent" / "2024"
    assert approved.stdout.startswith("approved: release 1 of 2024, approved ")
    assert f"  sent files, read-only: {sent}" in approved.stdout
    output = sorted(p.name for p in (data_dir / "output" / "2024").iterdir())
    statushouders = [name for name in output if name.startswith("voortgang_statushouders_")]
    assert statushouders  # abu_2024.csv reports a statushouders action: its letter is built
    assert sorted(p.name for p in sent.iterdir()) == [n for n in output if n not in statushouders]
    again = cli("letter", "approve", "--year", "2024")
    assert again.returncode == 1
    assert "was approved already (release 1 of 2024" in again.stdout

    # The statushouders letter is approved on its own, into its own folder.
    not_running = cli("letter", "approve", "--year", "2022", "--programme", "statushouders")
    assert not_running.returncode == 1
    assert not_running.stdout.splitlines()[-1] == (
        "not approved: --programme statushouders: Statushouders aan het werk does not run in "
        "2022 (config/programmes.yaml: vanaf 2023), so it has no letter of that year"
    )
    unknown = cli("letter", "verify", "--year", "2024", "--programme", "nieuwkomers")
    assert unknown.returncode == 1
    assert unknown.stdout.splitlines()[-1] == (
        "not verified: --programme nieuwkomers: not a programme of config/programmes.yaml "
        "(via, statushouders)"
    )
    own = cli("letter", "approve", "--year", "2024", "--programme", "statushouders")
    assert own.returncode == 0, own.stdout + own.stderr
    assert own.stdout.startswith("approved: release 1 of 2024 statushouders, approved ")
    assert sorted(p.name for p in (sent / "statushouders").iterdir()) == statushouders
    for programme in ([], ["--programme", "statushouders"]):
        clean = cli("letter", "verify", "--year", "2024", *programme)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "are as sent" in clean.stdout and "added" not in clean.stdout

    ok = cli("letter", "verify", "--year", "2024")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().endswith(f"files in {sent} are as sent")
    docx = sent / "voortgang_via_2024_bijlage.docx"
    original = docx.read_bytes()
    docx.chmod(0o644)
    docx.write_bytes(original + b"\0")
    changed = cli("letter", "verify", "--year", "2024")
    assert changed.returncode == 1
    assert f"changed: {docx} (its SHA-256 differs from the one sent)" in changed.stdout.splitlines()
    docx.write_bytes(original)
    docx.chmod(0o444)

    # ABU sends a corrected 2024 file: the files are older than their inputs until rebuilt.
    corrected = (
        (EXAMPLES / "abu_2024.csv").read_text(encoding="utf-8").replace(",95,18,", ",120,18,")
    )
    (inbox / "abu_2024.csv").write_text(corrected, encoding="utf-8")
    stale = cli("letter", "approve", "--year", "2024", "--supersede", "nieuwe ABU-rapportage")
    assert stale.returncode == 1
    assert stale.stdout.splitlines()[-1].startswith(
        "not approved: the files of reporting year 2024 are older than their inputs "
        "(changed since the build: partners/"
    )
    rebuilt = cli("run", "--year", "2024")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "letter 2024 sent (release 1, " in rebuilt.stdout
    assert "letter 2024 statushouders sent (release 1, " in rebuilt.stdout
    erratum = cli("letter", "approve", "--year", "2024", "--supersede", "nieuwe ABU-rapportage")
    assert erratum.returncode == 0, erratum.stdout + erratum.stderr
    assert f"  sent files, read-only: {sent / 'release-2'}" in erratum.stdout
    assert docx.read_bytes() == original  # the first release stays as sent

    # Release 1 rebuilt from its archived partner files, though ABU's new file replaced them.
    out = tmp_path / "reproduced"
    reproduced = cli("letter", "reproduce", "--year", "2024", "--release", "1", "--out", str(out))
    assert reproduced.returncode == 0, reproduced.stdout + reproduced.stderr
    assert "and 5 partner file(s)" in reproduced.stdout
    assert reproduced.stdout.splitlines()[-1].endswith("files are byte-identical to the ones sent")
    assert (out / docx.name).read_bytes() == original
    assert not any(p.name.startswith("voortgang_statushouders_") for p in out.iterdir())
    # The statushouders letter reproduced on its own: only its files, byte-identical.
    out_own = tmp_path / "reproduced_statushouders"
    own_again = cli(
        "letter",
        "reproduce",
        "--year",
        "2024",
        "--programme",
        "statushouders",
        "--out",
        str(out_own),
    )
    assert own_again.returncode == 0, own_again.stdout + own_again.stderr
    assert own_again.stdout.splitlines()[-1] == (
        f"all {len(statushouders)} files are byte-identical to the ones sent"
    )
    assert sorted(p.name for p in out_own.iterdir()) == statushouders
