"""The warehouse write lease on both engines: held by another run, the lease waits, says who holds
it, and gives up with one line; readers find the writer without taking the lease."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from via_pipeline.core.runs.lease import (
    LEASE_KEY,
    WarehouseBusyError,
    Writer,
    current_writer,
    held_lease,
    write_lease,
)
from via_pipeline.core.warehouse import WarehouseStore

OTHER_RUN = "3f24ab12-0000-4000-8000-000000000001"


@contextmanager
def duckdb_held_by_another_process(path: Path) -> Iterator[int]:
    """A process that keeps the DuckDB file open (and locked) until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


@contextmanager
def postgres_held_by_another_run(url: str, run_id: str, pid: int) -> Iterator[None]:
    """A session holding the lease's advisory lock under the name a via run gives its session."""
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.NullPool,
        connect_args={"application_name": f"via writer {run_id} {pid}"},
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LEASE_KEY})
        yield
    engine.dispose()


@contextmanager
def held_elsewhere(store: WarehouseStore) -> Iterator[Writer]:
    if store.dialect == "duckdb":
        with duckdb_held_by_another_process(Path(str(store.parsed_url.database))) as pid:
            yield Writer(pid=pid)
    else:
        with postgres_held_by_another_run(store.url, OTHER_RUN, 10748):
            yield Writer(pid=10748, run_id=OTHER_RUN)


def expected_holder(writer: Writer) -> str:
    return "run 3f24ab12… (pid 10748)" if writer.run_id else f"process {writer.pid}"


def test_lease_waits_reports_the_holder_then_gives_up_in_one_line(store: WarehouseStore) -> None:
    store.dispose()
    lines: list[str] = []
    with held_elsewhere(store) as writer:
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusyError) as raised,
            write_lease(
                store, "second", 1.2, lines.append, poll_seconds=0.1, report_every_seconds=0.5
            ),
        ):
            pytest.fail("the lease was granted while another process held it")
        waited = time.monotonic() - started
    holder = expected_holder(writer)
    assert str(raised.value) == (
        f"the warehouse is being written by {holder}; gave up after 1.2 s "
        "(VIA_WAREHOUSE_LOCK_WAIT_SECONDS)"
    )
    assert 1.2 <= waited < 5
    assert lines[0] == f"waiting for {holder} to finish, 0 s"
    assert len(lines) >= 2 and all(line.startswith(f"waiting for {holder}") for line in lines)


def test_lease_is_granted_when_the_holder_ends_and_is_reentrant(store: WarehouseStore) -> None:
    store.dispose()
    lines: list[str] = []
    with held_elsewhere(store):
        assert current_writer(store) is not None  # readers see the holder
    with write_lease(store, "mine", 5, lines.append) as writer:
        assert writer.run_id == "mine"
        # The run's own writes and a second lease in the same process go through.
        with write_lease(store, "resource", 0, lines.append):
            store.migrate()
        assert held_lease(store) == writer
    assert held_lease(store) is None
    assert lines == []
    assert "0010" in store.applied_migrations()


def test_a_killed_holder_leaves_no_lock_behind(warehouse_url: str, tmp_path: Path) -> None:
    """SIGKILL takes the lock with the process: the next lease is granted at once."""
    script = (
        "import sys, time; from via_pipeline.core.runs.lease import write_lease; "
        "from via_pipeline.core.warehouse import WarehouseStore; "
        "s = WarehouseStore(sys.argv[1]); "
        "lease = write_lease(s, 'doomed', 0); lease.__enter__(); "
        "print('ready', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, warehouse_url], stdout=subprocess.PIPE, text=True
    )
    store = WarehouseStore(warehouse_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        writer = current_writer(WarehouseStore(warehouse_url, read_only=True))
        assert writer == Writer(pid=holder.pid, run_id="doomed")
    finally:
        holder.kill()
        holder.wait()
    started = time.monotonic()
    with write_lease(store, "next", 10):
        pass
    assert time.monotonic() - started < 3
    store.dispose()
