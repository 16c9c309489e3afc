"""Plausibility warnings on monitor.indicators: non-blocking checks (severity WARN) that query the
warehouse and name every odd CBS figure, on the check's page (a Markdown table) and in the run
output (`warning_lines`). Their findings are recorded in quality.validation_results like every
check's; nothing downstream waits on them."""

import dagster as dg

from via_pipeline.core.quality.plausibility_checks import (
    PLAUSIBILITY_CHECKS,
    WARNING_LINES_KEY,
    PlausibilityCheck,
)
from via_pipeline.defs.cbs.assets import INDICATORS_KEY, INDICATORS_TABLE
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse


def _plausibility_check(check: PlausibilityCheck) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=INDICATORS_KEY,
        name=check.name,
        description=f"Warning, not blocking: {check.expectation}.",
        blocking=False,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        from via_pipeline.core.monitor.plausibility import (
            find_findings,
            findings_markdown,
            findings_suite_result,
            load_plausibility_config,
            load_series_names,
            warning_lines,
        )

        store = warehouse.migrated_store()
        findings = find_findings(
            check.rule,
            store.read_table(INDICATORS_TABLE),
            load_plausibility_config(),
            load_series_names(),
        )
        return check_result_from_suite(
            store,
            context.run.run_id,
            check.name,
            findings_suite_result(check, findings),
            INDICATORS_KEY,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "findings": len(findings),
                "findings_table": dg.MetadataValue.md(findings_markdown(findings)),
                WARNING_LINES_KEY: dg.MetadataValue.text("\n".join(warning_lines(findings))),
            },
        )

    return _check


year_to_year_moves_within_limits, rates_within_plausible_bounds = (
    _plausibility_check(check) for check in PLAUSIBILITY_CHECKS
)
