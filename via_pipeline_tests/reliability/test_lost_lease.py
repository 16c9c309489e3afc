"""A PostgreSQL write lease whose session ends mid-run stops the run instead of writing on.

The test terminates the lease's backend (pg_terminate_backend) between two writes and checks:
the next write, and a commit of a write made before, fail with the one lease-lost line; their rows
are not there; the rows written while the lease was held stay; another writer can take the lease
at once and the lost run does not write beside it.
"""

import os
from collections.abc import Iterator

import dagster as dg
import pytest
import sqlalchemy as sa

from via_pipeline.core.runs.causes import root_cause_message
from via_pipeline.core.runs.lease import LEASE_KEY, LEASE_LOST, LeaseLostError, write_lease
from via_pipeline.core.runs.lease_session import (
    KEEPALIVE_IDLE_SECONDS,
    LeaseWatch,
    keepalive_connect_args,
)
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.reliability.crash_writer import TABLE, observation_frame
from via_pipeline_tests.reliability.dumps import dump_warehouse
from via_pipeline_tests.support.cli_processes import lease_holder

pytestmark = pytest.mark.postgres
RUN_ID = "5b0c1e7a-3d2f-4c11-9e8a-0123456789ab"


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[WarehouseStore]:
    store = WarehouseStore(postgres_url)
    store.migrate()
    yield store
    store.dispose()


def terminate_lease_backend(url: str, run_id: str) -> int:
    """pg_terminate_backend the session holding this process's lease for `run_id`; its pid."""
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        pid = conn.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": f"via writer {run_id} {os.getpid()}"},
        ).scalar_one()
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()
    return int(pid)


def test_a_lost_lease_refuses_every_later_write_while_another_writer_holds_it(
    pg_store: WarehouseStore, postgres_url: str
) -> None:
    with write_lease(pg_store, RUN_ID, 0):
        pg_store.replace(TABLE, observation_frame(1, 300))  # under the lease: written
        terminate_lease_backend(postgres_url, RUN_ID)
        before = dump_warehouse(postgres_url)
        holder = lease_holder(postgres_url)  # a second writer gets the lease at once
        try:
            with pytest.raises(LeaseLostError) as at_write:
                pg_store.replace(TABLE, observation_frame(3, 400))
            with pytest.raises(LeaseLostError):
                pg_store.execute_sql_file("build_monitor_trends", {})
        finally:
            holder.send_line()
            holder.finish()
        assert str(at_write.value) == LEASE_LOST
        assert dump_warehouse(postgres_url) == before
    stored = pg_store.read_table(TABLE)
    assert set(stored["measure_title"]) == {"v1"} and len(stored) == 300


def test_a_commit_is_refused_when_the_lease_ends_before_it(
    pg_store: WarehouseStore, postgres_url: str
) -> None:
    with write_lease(pg_store, RUN_ID, 0):
        pg_store.replace(TABLE, observation_frame(1, 200))
        with (
            pytest.raises(LeaseLostError, match="nothing of this step was committed"),
            pg_store.transaction() as conn,
        ):
            pg_store.replace(TABLE, observation_frame(2, 250), conn=conn)
            terminate_lease_backend(postgres_url, RUN_ID)
    stored = pg_store.read_table(TABLE)
    assert set(stored["measure_title"]) == {"v1"} and len(stored) == 200


def test_the_lease_session_keeps_alive_and_ignores_idle_timeouts(postgres_url: str) -> None:
    """The lease's connection settings, on a session made with them (as _PostgresLease makes it)."""
    engine = sa.create_engine(
        postgres_url, poolclass=sa.pool.NullPool, connect_args=keepalive_connect_args()
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SET idle_session_timeout = '5min'"))  # as a server might set it
        assert conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LEASE_KEY}).scalar()
        watch = LeaseWatch.of(conn, LEASE_KEY)
        shown = {
            name: conn.execute(sa.text(f"SHOW {name}")).scalar_one()
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        }
        assert conn.execute(sa.text("SHOW idle_session_timeout")).scalar_one() == "0"
        watch.check(conn)  # held: no error
    engine.dispose()
    assert shown == {
        "tcp_keepalives_idle": str(KEEPALIVE_IDLE_SECONDS),
        "tcp_keepalives_interval": "10",
        "tcp_keepalives_count": "3",
    }


@dg.asset
def first_write(warehouse: Warehouse) -> None:
    warehouse.migrated_store().replace(TABLE, observation_frame(1, 300))


@dg.asset(deps=[first_write])
def second_write(context: dg.AssetExecutionContext, warehouse: Warehouse) -> None:
    store = warehouse.migrated_store()
    terminate_lease_backend(store.url, context.run.run_id)
    holder = lease_holder(store.url)  # the next run takes the lease while this one goes on
    try:
        store.replace(TABLE, observation_frame(2, 400))
    finally:
        holder.send_line()
        holder.finish()


@dg.asset(deps=[second_write])
def third_write(warehouse: Warehouse) -> None:
    warehouse.migrated_store().replace(TABLE, observation_frame(3, 500))


def test_a_dagster_run_stops_with_one_line_when_its_lease_is_lost(postgres_url: str) -> None:
    result = dg.materialize(
        [first_write, second_write, third_write],
        resources={"warehouse": Warehouse(url=postgres_url, lock_wait_seconds=0)},
        raise_on_error=False,
    )
    assert not result.success
    failures = [event for event in result.all_events if event.is_step_failure]
    assert [event.step_key for event in failures] == ["second_write"]
    assert root_cause_message(failures[0].step_failure_data.error) == LEASE_LOST
    assert "third_write" not in {e.step_key for e in result.all_events if e.is_step_success}
    store = WarehouseStore(postgres_url)
    stored = store.read_table(TABLE)
    store.dispose()
    assert set(stored["measure_title"]) == {"v1"} and len(stored) == 300
