"""Who launched a run, as quality.runs.started_by says it, from the run's tags."""

from __future__ import annotations

import pytest

from via_pipeline.core.runs.records import OBSERVED_STATUSES, launched_by

CLI_TAG = "via/started_by"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (
            {"dagster/schedule_name": "via_yearly_build_schedule"},
            "schedule:via_yearly_build_schedule",
        ),
        (
            {"dagster/sensor_name": "partners_inbox_sensor", "via/partner": "abu"},
            "sensor:partners_inbox_sensor",
        ),
        ({"dagster/backfill": "qwerty", "dagster/partition": "2023"}, "backfill:qwerty"),
        ({"dagster/from_automation_condition": "true"}, "automation"),
        ({"dagster/auto_materialize": "true"}, "automation"),
        ({CLI_TAG: "cli", "via/pid": "4242", "via/host": "vm"}, "cli"),
        ({"via/warehouse": "write"}, "ui"),
        ({}, "ui"),
        # a schedule's backfill is the schedule's
        ({"dagster/schedule_name": "s", "dagster/backfill": "b"}, "schedule:s"),
    ],
)
def test_launched_by_reads_the_tags(tags: dict[str, str], expected: str) -> None:
    assert launched_by(tags, CLI_TAG) == expected


def test_only_runs_that_started_are_recorded_and_a_canceled_one_failed() -> None:
    assert OBSERVED_STATUSES == {
        "STARTED": "started",
        "SUCCESS": "succeeded",
        "FAILURE": "failed",
        "CANCELED": "failed",
    }
    for waiting in ("QUEUED", "NOT_STARTED", "STARTING", "CANCELING", "MANAGED"):
        assert waiting not in OBSERVED_STATUSES
