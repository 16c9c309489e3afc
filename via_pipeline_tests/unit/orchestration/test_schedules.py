"""Guards the calendar: which job each schedule starts, when, and for which reporting year."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.orchestration.schedules import (
    cbs_refresh_schedule,
    via_yearly_build_schedule,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def tick(year: int, month: int, day: int, hour: int = 6) -> dg.ScheduleEvaluationContext:
    return dg.build_schedule_context(
        scheduled_execution_time=datetime(year, month, day, hour, tzinfo=AMSTERDAM)
    )


def test_weekly_cbs_check_runs_the_cbs_refresh_job_on_monday_morning() -> None:
    assert cbs_refresh_schedule.job_name == "cbs_refresh_job"
    assert cbs_refresh_schedule.cron_schedule == "0 6 * * 1"
    assert cbs_refresh_schedule.execution_timezone == "Europe/Amsterdam"
    assert cbs_refresh_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    [request] = cbs_refresh_schedule.evaluate_tick(tick(2026, 11, 30)).run_requests or []
    # Unpartitioned: the CBS assets keep their full history.
    assert request.partition_key is None


def test_yearly_build_runs_in_october_for_the_running_year() -> None:
    assert via_yearly_build_schedule.job_name == "via_yearly_build_job"
    assert via_yearly_build_schedule.cron_schedule == "0 6 1 10 *"
    assert via_yearly_build_schedule.execution_timezone == "Europe/Amsterdam"
    result = via_yearly_build_schedule(tick(2026, 10, 1))
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key == "2026"
    assert result.run_key == "yearly_build_2026"


@pytest.mark.parametrize("year", [2022, 2023, 2025])
def test_each_year_builds_its_own_partition(year: int) -> None:
    result = via_yearly_build_schedule(tick(year, 10, 1))
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key == str(year)


def test_a_year_before_the_first_reporting_year_requests_nothing() -> None:
    result = via_yearly_build_schedule(tick(2021, 10, 1))
    assert isinstance(result, dg.SkipReason)
    assert "reporting year 2021 is not a partition" in (result.skip_message or "")


def test_scheduled_jobs_are_queued_as_warehouse_writers() -> None:
    from via_pipeline.defs.jobs import cbs_refresh_job, via_yearly_build_job

    assert via_yearly_build_job.tags == WAREHOUSE_WRITER_TAGS
    assert cbs_refresh_job.tags == WAREHOUSE_WRITER_TAGS
