"""Guards two runs taking in files for the same partner and year at the same moment.

Both runs read "current version 1" before either writes (forced with a barrier). The primary key
of partners.versions (partner_id, reporting_year, version) lets exactly one commit version 2;
the other run's insert fails on the key, and intake retries it on top of the winner: it becomes
version 3. No duplicate, no lost version, no half-written rows. The key is a database
constraint: a direct duplicate insert fails too, whatever the code checks.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from via_pipeline.core.partners import intake
from via_pipeline.core.partners.archive import ArchivedFile, sha256_of
from via_pipeline.core.partners.intake import take_in
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows

YEARS = [2023]
PARTNERS = load_partners()
THEMES = load_themes()


def archived(rows: int, marker: str, tmp_path: Path) -> ArchivedFile:
    data = valid_rows(count=rows)
    for row in data:
        row[HEADER.index("toelichting")] = marker
    content = csv_bytes(data)
    return ArchivedFile(
        sha256_of(content), "abu_2023.csv", tmp_path / marker, datetime(2026, 1, 1), content
    )


def submit(store: WarehouseStore, file: ArchivedFile, tmp_path: Path) -> intake.IntakeOutcome:
    return take_in(store, file, tmp_path / "feedback", PARTNERS, THEMES, YEARS)


def test_two_simultaneous_versions_both_survive_as_consecutive_versions(
    store: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = archived(2, "eerste", tmp_path)
    assert submit(store, first, tmp_path).status == "accepted"

    second, third = archived(3, "tweede", tmp_path), archived(4, "derde", tmp_path)
    barrier = threading.Barrier(2, timeout=30)
    read_version = intake._current_version
    reads = 0
    lock = threading.Lock()

    def read_then_wait(conn: object, partner_id: str, year: int) -> tuple[int, str | None]:
        nonlocal reads
        found = read_version(conn, partner_id, year)  # type: ignore[arg-type]
        with lock:
            reads += 1
            racing = reads <= 2
        if racing:
            barrier.wait()  # both runs now believe version 1 is current
        return found

    monkeypatch.setattr(intake, "_current_version", read_then_wait)
    outcomes: dict[str, object] = {}

    def run(file: ArchivedFile) -> None:
        try:
            outcomes[file.sha256] = submit(store, file, tmp_path)
        except Exception as error:
            outcomes[file.sha256] = error

    threads = [threading.Thread(target=run, args=(file,)) for file in (second, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    monkeypatch.setattr(intake, "_current_version", read_version)

    statuses = {sha: getattr(outcome, "status", repr(outcome)) for sha, outcome in outcomes.items()}
    assert statuses == {second.sha256: "accepted", third.sha256: "accepted"}
    assert reads >= 3, "the losing run must have read the version again"
    versions = store.read("SELECT version, sha256 FROM partners.versions ORDER BY version")
    assert versions["version"].tolist() == [1, 2, 3]
    assert versions["sha256"].tolist()[0] == first.sha256
    assert set(versions["sha256"].tolist()[1:]) == {second.sha256, third.sha256}
    last = versions["sha256"].tolist()[-1]
    current = store.read_table("partners.submissions", {"is_current": True})
    assert current["sha256"].tolist() == [last]
    assert set(store.read_table("partners.actions")["submission_sha256"]) == {last}
    assert store.count("partners.submissions") == 3


def test_a_duplicate_version_is_refused_by_the_database_itself(
    store: WarehouseStore, tmp_path: Path
) -> None:
    assert submit(store, archived(2, "eerste", tmp_path), tmp_path).status == "accepted"
    duplicate = store.read_table("partners.versions")
    with pytest.raises(WarehouseError, match=r"partners\.versions"):
        store.insert("partners.versions", duplicate.assign(sha256="f" * 64))
    assert store.count("partners.versions") == 1
