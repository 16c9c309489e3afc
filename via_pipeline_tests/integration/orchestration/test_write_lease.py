"""Runs launched by Dagster itself (UI, schedules, sensors) take the same write lease as CLI runs:
the warehouse resource holds it from the run's start to its end."""

import dagster as dg
import pytest

from via_pipeline.core.runs.causes import root_cause_message
from via_pipeline.core.runs.lease import held_lease
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.cli_processes import OTHER_RUN, lease_holder

pytestmark = pytest.mark.slow


@dg.asset
def lease_probe(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Writes one row while the run holds the lease (as every warehouse asset does)."""
    writer = held_lease(warehouse.store)
    assert writer is not None and writer.run_id == context.run.run_id
    store = warehouse.migrated_store()
    store.migrate()
    return dg.MaterializeResult(metadata={"lease_run": writer.run_id})


def materialise(url: str, wait: float) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [lease_probe],
        resources={"warehouse": Warehouse(url=url, lock_wait_seconds=wait)},
        raise_on_error=False,
    )


def test_a_dagster_run_waits_for_the_lease_and_stops_with_its_holder(
    warehouse_url: str,
) -> None:
    holder = lease_holder(warehouse_url)
    try:
        blocked = materialise(warehouse_url, wait=0.5)
    finally:
        holder.send_line()
        holder.finish()
    assert not blocked.success
    errors = [
        event.event_specific_data.error
        for event in blocked.all_events
        if event.is_failure and getattr(event.event_specific_data, "error", None)
    ]
    assert errors, [event.event_type_value for event in blocked.all_events]
    assert root_cause_message(errors[0]) == (
        f"the warehouse is being written by run {OTHER_RUN[:8]}… (pid {holder.pid}); "
        "gave up after 0.5 s (VIA_WAREHOUSE_LOCK_WAIT_SECONDS)"
    )

    result = materialise(warehouse_url, wait=5)
    assert result.success
    [materialisation] = result.get_asset_materialization_events()
    assert materialisation.materialization.metadata["lease_run"].value == result.run_id
    # Released with the run: this process holds nothing afterwards.
    assert held_lease(WarehouseStore(warehouse_url)) is None
