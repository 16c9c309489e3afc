"""The PostgreSQL session that holds the write lease: kept alive, and watched by every write.

Why these choices is in core/runs/lease.py's docstring; this module holds the mechanics: the
keepalive settings of the lease's connection and LeaseWatch, the check WarehouseStore runs
before each write and commit (core/warehouse/write_checks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseError

LEASE_LOST = (
    "the warehouse write lease was lost (its PostgreSQL session ended): the run stopped, "
    "nothing of this step was committed"
)

# Keepalives of the lease's session: probes after 30 s idle, every 10 s, 3 unanswered = dead.
KEEPALIVE_IDLE_SECONDS = 30
KEEPALIVE_INTERVAL_SECONDS = 10
KEEPALIVE_COUNT = 3

# The lease's backend by pid and start time: pids come round (pid_max may be 32768). Asking
# pg_stat_get_activity for that one pid costs a fifth of joining pg_stat_activity (all backends).
_STILL_HELD_QUERY = sa.text(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = :key "
    "AND objsubid = 1 AND pid = :pid AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND (SELECT backend_start FROM pg_stat_get_activity(:pid)) = :since"
)
_THIS_BACKEND = sa.text(
    "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()"
)


class LeaseLostError(WarehouseError):
    """The PostgreSQL session holding the write lease ended while the run was writing."""

    def __init__(self) -> None:
        super().__init__(LEASE_LOST)


def keepalive_connect_args() -> dict[str, object]:
    """libpq keepalives for the client's end of the socket, `tcp_keepalives_*` for the server's."""
    server_side = (
        f"-c tcp_keepalives_idle={KEEPALIVE_IDLE_SECONDS} "
        f"-c tcp_keepalives_interval={KEEPALIVE_INTERVAL_SECONDS} "
        f"-c tcp_keepalives_count={KEEPALIVE_COUNT}"
    )
    return {
        "keepalives": 1,
        "keepalives_idle": KEEPALIVE_IDLE_SECONDS,
        "keepalives_interval": KEEPALIVE_INTERVAL_SECONDS,
        "keepalives_count": KEEPALIVE_COUNT,
        "options": server_side,
    }


@dataclass
class LeaseWatch:
    """The lease's backend, and whether a write has already found it gone."""

    key: int
    backend_pid: int
    backend_start: datetime
    lost: bool = False

    @classmethod
    def of(cls, lease_conn: sa.Connection, key: int) -> LeaseWatch:
        """Watch the session of `lease_conn`, which has just taken the advisory lock `key`.

        An idle_session_timeout set on the server (PostgreSQL 14+) would end it mid-run: off here.
        """
        if int(lease_conn.execute(sa.text("SHOW server_version_num")).scalar_one()) >= 140000:
            lease_conn.execute(sa.text("SET idle_session_timeout = 0"))
        backend = lease_conn.execute(_THIS_BACKEND).one()
        return cls(key=key, backend_pid=int(backend.pid), backend_start=backend.backend_start)

    def check(self, conn: sa.Connection) -> None:
        """Raise LeaseLostError unless the lease's backend still holds the lock (asked on `conn`).

        Once lost, always lost: later writes fail at once, without asking the server again.
        """
        if not self.lost:
            held = conn.execute(
                _STILL_HELD_QUERY,
                {"key": self.key, "pid": self.backend_pid, "since": self.backend_start},
            ).first()
            self.lost = held is None
        if self.lost:
            raise LeaseLostError()
