"""Sensors of the whole code location: run failures, the letter deadline, and automation.

The inbox sensor belongs to the partners domain (defs/partners/sensors.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.settings.orchestration import letter_deadline, overdue_letter_year
from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.orchestration.automation import orchestration_config
from via_pipeline.defs.orchestration.resources import AlertWebhook
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    from via_pipeline.core.runs.alerts import (
        RunFailure,
    )

PARTITION_TAG = "dagster/partition"
ANNEX_KEY = dg.AssetKey(["letter", "annex"])


def run_failure_from_context(
    context: dg.RunFailureSensorContext, failed_at: datetime | None = None
) -> RunFailure:
    """The failed run as a plain record: job, reporting year, failed steps and the first error."""
    from via_pipeline.core.runs.alerts import RunFailure
    from via_pipeline.core.runs.causes import root_cause_message

    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    steps = tuple(dict.fromkeys(event.step_key for event in step_failures if event.step_key))
    errors = [
        root_cause_message(event.step_failure_data.error)
        for event in step_failures
        if event.step_failure_data.error is not None
    ]
    message = errors[0] if errors else (context.failure_event.message or "").strip()
    return RunFailure(
        run_id=run.run_id,
        job_name=run.job_name,
        partition=run.tags.get(PARTITION_TAG),
        failed_at=failed_at or datetime.now(UTC),
        failed_steps=steps,
        error_message=message,
    )


@dg.run_failure_sensor(
    name="via_run_failure_sensor",
    description=(
        "Records every failed run of this code location in quality.run_failures and posts it "
        "to VIA_ALERT_WEBHOOK_URL when set."
    ),
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def via_run_failure_sensor(
    context: dg.RunFailureSensorContext, warehouse: Warehouse, alert_webhook: AlertWebhook
) -> None:
    from via_pipeline.core.runs.alerts import RUN_FAILURES_TABLE, failure_payload, run_failure_frame

    failure = run_failure_from_context(context)
    notified = False
    # Alert first: a warehouse that is down (often the reason for the failure) must not
    # swallow the alert.
    try:
        outcome = alert_webhook.notify(failure_payload(failure))
    except ValueError as error:  # a malformed VIA_ALERT_WEBHOOK_URL; the message hides the URL
        context.log.error(f"run failure alert not sent: {error}")
        outcome = None
    if outcome is not None:
        notified = outcome.sent
        if outcome.sent:
            context.log.info(f"run {failure.run_id} failure posted to {alert_webhook.describe()}")
        else:
            context.log.warning(
                f"run {failure.run_id} failure alert not delivered: {outcome.problem}"
            )
    try:
        store = warehouse.migrated_store()
        store.replace(
            RUN_FAILURES_TABLE,
            run_failure_frame(failure, notified),
            where={"run_id": failure.run_id},
        )
    except Exception as error:
        # The failure is still in Dagster's run history; say why it is not in the warehouse.
        context.log.error(
            f"run {failure.run_id} failure not recorded in {RUN_FAILURES_TABLE}: {error}"
        )


def current_time() -> datetime:
    """The sensor's clock (tests replace it)."""
    return datetime.now(UTC)


@dg.sensor(
    name="letter_deadline_sensor",
    description=(
        "Hourly: when the letter deadline of config/orchestration.yaml has passed and the annex "
        "of that reporting year is not built, says so once (tick log, alert webhook)."
    ),
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def letter_deadline_sensor(
    context: dg.SensorEvaluationContext, alert_webhook: AlertWebhook
) -> dg.SensorResult | dg.SkipReason:
    """Requests no runs. Per reporting year, unlike a freshness policy (which looks at the
    latest materialisation of any year): a backfill of an old year does not hide a missing one.
    The cursor lists the years already reported."""
    built = context.instance.get_materialized_partitions(ANNEX_KEY)
    year = overdue_letter_year(
        current_time(),
        orchestration_config(),
        built,
        first_year=int(reporting_year_partitions.get_first_partition_key() or 0),
    )
    if year is None:
        return dg.SkipReason(
            "every reporting year whose letter deadline passed has its annex built"
        )
    reported: list[str] = json.loads(context.cursor) if context.cursor else []
    deadline = letter_deadline(int(year), orchestration_config()).date().isoformat()
    message = (
        f"via_pipeline: the letter annex of reporting year {year} was not built by its "
        f"deadline {deadline}; run via_yearly_build_job for partition {year}"
    )
    if year in reported:
        return dg.SkipReason(f"{message} (already reported)")
    context.log.warning(message)
    try:
        outcome = alert_webhook.notify(
            {"text": message, "reporting_year": year, "deadline": deadline}
        )
    except ValueError as error:  # a malformed VIA_ALERT_WEBHOOK_URL; the message hides the URL
        context.log.error(f"letter deadline alert not sent: {error}")
        outcome = None
    if outcome is not None and not outcome.sent:
        context.log.warning(f"letter deadline alert not delivered: {outcome.problem}")
    return dg.SensorResult(skip_reason=message, cursor=json.dumps(sorted({*reported, year})))


# Evaluates the automation conditions set in definitions.py (and any an asset sets itself).
# Its runs carry the warehouse-writer tag so the run queue serialises them with the jobs.
default_automation_condition_sensor = dg.AutomationConditionSensorDefinition(
    "default_automation_condition_sensor",
    target=dg.AssetSelection.all(),
    run_tags=WAREHOUSE_WRITER_TAGS,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuilds monitor and letter tables when inputs changed and passed checks.",
)
