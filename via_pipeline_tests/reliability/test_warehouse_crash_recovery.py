"""Guards that a writer killed with SIGKILL in the middle of a warehouse write loses nothing.

On both engines: the killed write leaves the previous contents (never a mix of old and new rows),
and re-running the write ends in exactly the state of a run that was never interrupted. For
DuckDB also: a write committed only to the write-ahead log survives the kill.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.reliability.conftest import Child
from via_pipeline_tests.reliability.crash_writer import TABLE, observation_frame
from via_pipeline_tests.reliability.dumps import dump_warehouse, without_migration_times

WRITER = ["-m", "via_pipeline_tests.reliability.crash_writer"]
ROWS = 5_000


def write(url: str, version: int, rows: int = ROWS) -> None:
    """The uninterrupted write, in this process (a child costs seconds of imports)."""
    store = WarehouseStore(url)
    try:
        store.migrate()
        store.replace(TABLE, observation_frame(version, rows))
    finally:
        store.dispose()


def fingerprint(url: str) -> tuple[int, int, str | None, str | None]:
    """Rows, distinct versions and the versions present in cbs.observations."""
    args = {"read_only": True} if url.startswith("duckdb") else {}
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=args)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT count(*), count(DISTINCT measure_title), min(measure_title), "
                    "max(measure_title) FROM cbs.observations"
                )
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1]), row[2], row[3]


def test_kill_before_commit_keeps_old_rows_and_rerun_equals_uninterrupted_run(
    spawn: type[Child], url_pair: tuple[str, str]
) -> None:
    url, reference_url = url_pair
    write(url, version=1)
    before = dump_warehouse(url)

    child = spawn([*WRITER, url, "2", str(ROWS), "pause"])
    child.wait_for("WRITTEN")  # deleted the old rows and inserted the new ones, not committed
    child.kill()

    assert dump_warehouse(url) == before
    assert fingerprint(url) == (ROWS, 1, "v1", "v1")

    write(url, version=2)
    write(reference_url, version=1)
    write(reference_url, version=2)
    assert fingerprint(url) == (ROWS, 1, "v2", "v2")
    assert without_migration_times(url) == without_migration_times(reference_url)


def test_duckdb_write_committed_only_to_the_wal_survives_the_kill(
    spawn: type[Child], tmp_path: Path
) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    reference_url = f"duckdb:///{tmp_path / 'reference.duckdb'}"
    write(url, version=1)

    child = spawn([*WRITER, url, "2", str(ROWS), "hang-after-commit"])
    child.wait_for("COMMITTED")
    wal = tmp_path / "warehouse.duckdb.wal"
    assert wal.exists() and wal.stat().st_size > 0, "the commit should still be in the WAL"
    child.kill()

    # Opening replays the WAL: the committed version, whole.
    assert fingerprint(url) == (ROWS, 1, "v2", "v2")
    write(reference_url, version=1)
    write(reference_url, version=2)
    assert without_migration_times(url) == without_migration_times(reference_url)


@pytest.mark.slow
def test_kill_at_any_moment_of_a_big_write_leaves_old_or_new_never_a_mix(
    spawn: type[Child], url_pair: tuple[str, str]
) -> None:
    url, _ = url_pair
    rows = 100_000
    # The first write, run to the end, measures how long a write takes on this machine now,
    # so the kills below land before, inside and around the commit whatever the load.
    first = spawn([*WRITER, url, "1", str(rows), "write"])
    first.wait_for("READY")
    started = time.monotonic()
    first.wait_for("COMMITTED")
    duration = time.monotonic() - started
    assert first.finish()[0] == 0
    current = fingerprint(url)
    outcomes: list[str] = []
    for attempt, fraction in enumerate([0.5, 1.5], start=2):
        child = spawn([*WRITER, url, str(attempt), str(rows), "write"])
        child.wait_for("READY")  # frame built; the replace starts now
        time.sleep(duration * fraction)
        child.kill()
        after = fingerprint(url)
        new = (rows, 1, f"v{attempt}", f"v{attempt}")
        assert after in (current, new), (
            f"killed at {fraction:.0%} of a write: mixed contents {after}"
        )
        outcomes.append("new" if after == new else "old")
        current = after
    # Re-running the write completes it, whatever the kills left.
    write(url, version=99, rows=rows)
    assert fingerprint(url) == (rows, 1, "v99", "v99")
    print(f"write took {duration:.2f}s; kill outcomes on {url.split(':')[0]}: {outcomes}")
