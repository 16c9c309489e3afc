"""The warehouse write lease: one run writes the warehouse at a time, on both engines.

DuckDB: the file lock, held for the whole run by one kept connection. The other connections of
the run's process share it (DuckDB keeps one database instance per file and process), while
another process cannot open the file at all, not even to read. The lock cannot be lost while
the process lives, so DuckDB writes need no check.
PostgreSQL: a session advisory lock on a connection of its own, kept for the run; readers are
not affected. That session can end while the run goes on (pg_terminate_backend, a server or
network cut, a timeout), and PostgreSQL then frees the lock for the next writer. So:
- the lease's connection has TCP keepalives on both sides (libpq `keepalives*` for the client,
  `tcp_keepalives_*` for the server's end of this session): a vanished peer is noticed within
  about a minute instead of the kernel's two hours, and a crashed host frees the lease as fast;
- while the lease is held, every write WarehouseStore makes on this warehouse (each DELETE, bulk
  insert and SQL-file statement, and each commit: core/warehouse/write_checks.py, the check in
  core/runs/lease_session.py) first asks, on the write's own connection, whether the lease's
  backend still holds the lock:
  `SELECT 1 FROM pg_locks … WHERE locktype = 'advisory' AND … AND pid = <lease backend> AND
  granted`, the backend known by pid and start time (pids come round: pid_max may be 32768).
  The server's lock table is the truth about who holds the lease, and the question travels on the
  connection that is about to write, so the answer is as fresh as the write itself; asking the
  lease's own connection instead (`SELECT 1` there) would need a second round trip, could hang
  on a cut network until TCP gives up, and says only that the session lives, not that it still
  holds the lock. Cost: one round trip, measured in docs/reliability.md.
  A lost lease raises LeaseLostError: the write is not made, its transaction rolls back, and
  every later write of the run fails the same way without asking again.
What remains between the check and the commit is one round trip: a lease lost inside it lets
that one commit through.

A process that dies loses its lock with it (the OS closes the file, PostgreSQL ends the
session), so a killed run never leaves the warehouse locked. The lease is re-entrant within a
process: the CLI takes it before migrating, the run's warehouse resource then finds it held.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from via_pipeline.core.files.atomic import write_replacing
from via_pipeline.core.runs.lease_session import LEASE_LOST as LEASE_LOST
from via_pipeline.core.runs.lease_session import LeaseLostError as LeaseLostError
from via_pipeline.core.runs.lease_session import LeaseWatch, keepalive_connect_args
from via_pipeline.core.settings.environment import LOCK_WAIT_VARIABLE
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline.core.warehouse.write_checks import register_write_check, unregister_write_check

# pg advisory lock key of the lease; migrate() takes 4242001 for its own transaction.
LEASE_KEY = 4242017
# application_name of the lease's PostgreSQL session (at most 63 characters): who holds it.
APPLICATION_NAME = re.compile(r"^via writer (?P<run_id>.+) (?P<pid>\d+)$")
DUCKDB_LOCK_HOLDER = re.compile(r"Conflicting lock is held in .*?\(PID (?P<pid>\d+)\)")
WRITER_FILE_SUFFIX = ".writer.json"
RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

Report = Callable[[str], None]


class WarehouseBusyError(WarehouseError):
    """Another run held the write lease for longer than this run would wait."""


@dataclass(frozen=True)
class Writer:
    """Who holds the write lease, as far as can be told."""

    pid: int | None = None
    run_id: str | None = None

    def describe(self) -> str:
        if self.run_id and self.pid:
            return f"{describe_run(self.run_id)} (pid {self.pid})"
        if self.pid:
            return f"process {self.pid}"
        return "another process"


def describe_run(run_id: str) -> str:
    """`run 3f24ab12…` for a Dagster run; another holder (`via-pipeline migrate`) by its name."""
    return f"run {short_run_id(run_id)}" if RUN_ID.fullmatch(run_id) else run_id


def short_run_id(run_id: str) -> str:
    """A Dagster run id as the UI shows it (3f24ab12…); other names (a migration) whole."""
    return f"{run_id[:8]}…" if RUN_ID.fullmatch(run_id) else run_id


def duckdb_lock_holder(message: str) -> int | None:
    """The pid DuckDB names in its "Conflicting lock is held in … (PID n)" error, else None."""
    match = DUCKDB_LOCK_HOLDER.search(message)
    return int(match["pid"]) if match else None


def process_is_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def this_host() -> str:
    return socket.gethostname()


def _error_text(error: BaseException) -> str:
    return str(getattr(error, "orig", None) or error).strip()


# -- DuckDB -----------------------------------------------------------------------------------


def _writer_file(store: WarehouseStore) -> Path:
    database = Path(str(store.parsed_url.database))
    return database.with_name(database.name + WRITER_FILE_SUFFIX)


def _duckdb_writer(store: WarehouseStore, pid: int | None) -> Writer:
    """The lock's pid, with the run id the holder wrote beside the file when it is the same pid."""
    with suppress(OSError, ValueError, TypeError, KeyError):
        recorded = json.loads(_writer_file(store).read_text(encoding="utf-8"))
        if pid is None or int(recorded["pid"]) == pid:
            return Writer(pid=int(recorded["pid"]), run_id=str(recorded["run_id"]))
    return Writer(pid=pid)


def _try_duckdb(store: WarehouseStore, run_id: str) -> tuple[Callable[[], None] | None, Writer]:
    try:
        # A DBAPI connection with no transaction open: it only keeps the file (and its lock).
        kept = store.engine.raw_connection()
    except Exception as error:
        pid = duckdb_lock_holder(_error_text(error))
        if pid is None:
            raise WarehouseError(
                f"cannot open the warehouse {store.redacted_url}: {_error_text(error).splitlines()[0]}"
            ) from error
        return None, _duckdb_writer(store, pid)
    writer_file = _writer_file(store)
    record = {"run_id": run_id, "pid": os.getpid(), "host": this_host(), "since": time.time()}
    with suppress(OSError):  # who holds it is a courtesy to waiting runs, not a condition
        write_replacing(writer_file, lambda path: path.write_text(json.dumps(record), "utf-8"))

    def release() -> None:
        with suppress(OSError):
            writer_file.unlink(missing_ok=True)
        kept.close()

    return release, Writer(pid=os.getpid(), run_id=run_id)


# -- PostgreSQL -------------------------------------------------------------------------------

_HOLDER_QUERY = sa.text(
    "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key "
    "AND l.objsubid = 1 AND l.database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _postgres_writer(conn: sa.Connection) -> Writer:
    row = conn.execute(_HOLDER_QUERY, {"key": LEASE_KEY}).first()
    if row is None:
        return Writer()
    match = APPLICATION_NAME.match(row.application_name or "")
    if match is None:
        return Writer()
    return Writer(pid=int(match["pid"]), run_id=match["run_id"])


class _PostgresLease:
    def __init__(self, store: WarehouseStore, run_id: str) -> None:
        self.engine = sa.create_engine(
            store.parsed_url,
            poolclass=sa.pool.NullPool,
            connect_args={
                "connect_timeout": 10,
                "application_name": f"via writer {run_id} {os.getpid()}",
                **keepalive_connect_args(),
            },
        )
        try:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.SQLAlchemyError as error:
            self.engine.dispose()
            raise WarehouseError(
                f"cannot connect to the warehouse {store.redacted_url}: "
                f"{_error_text(error).splitlines()[0]}"
            ) from error
        self.run_id = run_id
        self.location = store.location

    def attempt(self) -> tuple[Callable[[], None] | None, Writer]:
        taken = self.conn.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LEASE_KEY}
        ).scalar_one()
        if taken:
            self.watch = LeaseWatch.of(self.conn, LEASE_KEY)
            register_write_check(self.location, self.watch.check)
            return self.release, Writer(pid=os.getpid(), run_id=self.run_id)
        return None, _postgres_writer(self.conn)

    def release(self) -> None:
        unregister_write_check(self.location)
        # Closing the session releases the lock too; unlocking first says so in the server log.
        with suppress(sa.exc.SQLAlchemyError):
            self.conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LEASE_KEY})
        self.close()

    def close(self) -> None:
        with suppress(sa.exc.SQLAlchemyError):
            self.conn.close()
        self.engine.dispose()


# -- the lease --------------------------------------------------------------------------------


@dataclass
class _Held:
    count: int
    writer: Writer


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def _lease_key(store: WarehouseStore) -> str:
    return store.location


def held_lease(store: WarehouseStore) -> Writer | None:
    """This process's lease on the store's warehouse, if it holds one."""
    with _HELD_GUARD:
        held = _HELD.get(_lease_key(store))
        return held.writer if held else None


@contextmanager
def write_lease(
    store: WarehouseStore,
    run_id: str,
    wait_seconds: float,
    report: Report | None = None,
    *,
    poll_seconds: float = 0.5,
    report_every_seconds: float = 10.0,
) -> Iterator[Writer]:
    """Hold the warehouse's write lease for the block, waiting up to `wait_seconds` for it.

    While waiting, `report` gets a line at once and then every `report_every_seconds`. After
    the wait, WarehouseBusyError names the run (or process) that holds the lease.
    """
    key = _lease_key(store)
    with _HELD_GUARD:
        held = _HELD.get(key)
        if held is not None:
            held.count += 1
    if held is not None:
        try:
            yield held.writer
        finally:
            with _HELD_GUARD:
                held.count -= 1
        return

    release, writer = _acquire(
        store, run_id, wait_seconds, report, poll_seconds, report_every_seconds
    )
    with _HELD_GUARD:
        _HELD[key] = _Held(count=1, writer=writer)
    try:
        yield writer
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        release()


def _acquire(
    store: WarehouseStore,
    run_id: str,
    wait_seconds: float,
    report: Report | None,
    poll_seconds: float,
    report_every_seconds: float,
) -> tuple[Callable[[], None], Writer]:
    postgres = _PostgresLease(store, run_id) if store.dialect == "postgresql" else None
    started = time.monotonic()
    last_report: float | None = None
    try:
        while True:
            release, writer = (
                postgres.attempt() if postgres is not None else _try_duckdb(store, run_id)
            )
            if release is not None:
                postgres = None  # the lease owns the session now
                return release, writer
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                raise WarehouseBusyError(
                    f"the warehouse is being written by {writer.describe()}; gave up after "
                    f"{wait_seconds:g} s ({LOCK_WAIT_VARIABLE})"
                )
            if report is not None and (
                last_report is None or waited - last_report >= report_every_seconds
            ):
                report(f"waiting for {writer.describe()} to finish, {waited:.0f} s")
                last_report = waited
            time.sleep(min(poll_seconds, max(wait_seconds - waited, 0.01)))
    finally:
        if postgres is not None:
            postgres.close()


def current_writer(store: WarehouseStore) -> Writer | None:
    """Who writes the warehouse now, found without taking (or blocking) the lease; else None.

    DuckDB: a read-only open that the writer's lock refuses. PostgreSQL: the advisory lock's
    holder in pg_locks.
    """
    held = held_lease(store)
    if held is not None:
        return held
    if store.dialect == "duckdb":
        try:
            probe: Any = store.engine.raw_connection()
        except Exception as error:
            pid = duckdb_lock_holder(_error_text(error))
            if pid is None:
                raise
            return _duckdb_writer(store, pid)
        probe.close()
        return None
    with store.engine.connect() as conn:
        writer = _postgres_writer(conn)
    return writer if writer.pid or writer.run_id else _postgres_holder_unnamed(store)


def _postgres_holder_unnamed(store: WarehouseStore) -> Writer | None:
    """A lease held by a session without our application_name (an old or foreign client)."""
    with store.engine.connect() as conn:
        row = conn.execute(_HOLDER_QUERY, {"key": LEASE_KEY}).first()
    return Writer() if row is not None else None
