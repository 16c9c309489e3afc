"""Guards what happens when PostgreSQL drops the writer's connection in the middle of a write.

The test holds a lock the writer needs, terminates the writer's backend with
pg_terminate_backend while it waits, and checks: the transaction rolled back (the warehouse
dump is unchanged), the error is a WarehouseError naming the table, and a retry succeeds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline_tests.reliability.crash_writer import TABLE, observation_frame
from via_pipeline_tests.reliability.dumps import dump_warehouse

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[WarehouseStore]:
    store = WarehouseStore(postgres_url)
    store.migrate()
    store.replace(TABLE, observation_frame(1, 500))
    yield store
    store.dispose()


def run_in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            action()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, errors


def terminate_lock_waiter(admin: sa.Connection, database: str, timeout: float = 30.0) -> int:
    """pg_terminate_backend the backend of `database` that waits for a lock; returns its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = admin.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"
            ),
            {"db": database},
        ).scalar()
        if pid is not None:
            assert admin.execute(
                sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar()
            return int(pid)
        time.sleep(0.05)
    raise AssertionError("the writer never blocked on the lock")


@pytest.mark.parametrize("blocked_at", ["delete", "bulk_insert"])
def test_terminated_backend_rolls_back_fails_clearly_and_retry_succeeds(
    pg_store: WarehouseStore, postgres_url: str, blocked_at: str
) -> None:
    before = dump_warehouse(postgres_url)
    new_rows = observation_frame(2, 600)  # 100 keys more than stored
    database = str(pg_store.engine.url.database)
    blocker = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    with blocker.connect() as holder, blocker.connect() as admin:
        holder_tx = holder.begin()
        if blocked_at == "delete":
            # A row lock on an old row: the writer's DELETE waits for it.
            holder.execute(sa.text(f"SELECT 1 FROM {TABLE} LIMIT 1 FOR UPDATE"))
        else:
            # An uncommitted row with a key the new rows also have: the writer's COPY waits
            # to learn whether that key will exist (the DELETE went through).
            first = new_rows.iloc[[550]].assign(measure_title="holder")
            pg_store.insert(TABLE, first, conn=holder)
        thread, errors = run_in_thread(lambda: pg_store.replace(TABLE, new_rows))
        admin.commit()
        terminate_lock_waiter(admin, database)
        thread.join(30)
        assert not thread.is_alive()
        holder_tx.rollback()
    blocker.dispose()

    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, WarehouseError), repr(error)
    assert TABLE in str(error)
    assert "connection" in str(error).lower()  # the driver's reason, kept in the message
    assert dump_warehouse(postgres_url) == before

    # The retry gets a fresh connection (pool_pre_ping) and completes.
    assert pg_store.replace(TABLE, new_rows) == 600
    after = pg_store.read_table(TABLE)
    assert set(after["measure_title"]) == {"v2"} and len(after) == 600
    pd.testing.assert_frame_equal(
        after.sort_values("population_group_key").reset_index(drop=True)[["value"]],
        new_rows.sort_values("population_group_key").reset_index(drop=True)[["value"]],
    )
