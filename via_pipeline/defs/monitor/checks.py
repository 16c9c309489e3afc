"""Blocking checks on monitor.gaps: they query the warehouse, and record their findings in
quality.validation_results like every suite. A failure stops monitor.trends and the letter."""

import dagster as dg

from via_pipeline.core.quality.gap_checks import GAP_CHECKS, GapCheck
from via_pipeline.defs.monitor.assets import GAPS_KEY
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse


def _gap_check(check: GapCheck) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=GAPS_KEY,
        name=check.name,
        description=f"Blocking: {check.expectation}.",
        blocking=True,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from via_pipeline.core.monitor import (
            find_gap_violations,
            load_monitor_config,
            violations_suite_result,
        )

        store = warehouse.migrated_store()
        violations = find_gap_violations(store, check, load_monitor_config())
        return check_result_from_suite(
            store,
            context.run.run_id,
            check.name,
            violations_suite_result(check, violations),
            GAPS_KEY,
        )

    return _check


(
    gaps_equal_value_minus_reference,
    gaps_compare_within_one_source_table,
    latest_year_groups_have_gap_rows,
) = (_gap_check(check) for check in GAP_CHECKS)
