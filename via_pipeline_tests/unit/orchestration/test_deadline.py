"""Guards the letter deadline: which reporting year is overdue when, and that the sensor reports
it once (tick message and webhook), per year, without requesting runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from via_pipeline.core.settings.orchestration import (
    letter_deadline,
    load_orchestration_config,
    overdue_letter_year,
)
from via_pipeline.defs.orchestration import sensors
from via_pipeline.defs.orchestration.resources import AlertWebhook
from via_pipeline.defs.orchestration.sensors import letter_deadline_sensor
from via_pipeline_tests.support.webhook import RecordingServer, recording_webhook

CONFIG = load_orchestration_config()  # deadline 1 December, Europe/Amsterdam
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_deadline_is_the_configured_day_in_amsterdam() -> None:
    assert letter_deadline(2026, CONFIG) == datetime(2026, 12, 1, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("now", "built", "overdue"),
    [
        (datetime(2026, 11, 30, 22, 59, tzinfo=UTC), set(), "2025"),  # 23:59 in Amsterdam
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), set(), "2026"),  # 00:00 on 1 December
        (datetime(2026, 12, 15, tzinfo=UTC), {"2026"}, None),
        (datetime(2026, 12, 15, tzinfo=UTC), {"2023"}, "2026"),  # an old year built: no cover
        (datetime(2026, 3, 1, tzinfo=UTC), {"2025"}, None),
        (datetime(2026, 3, 1, tzinfo=UTC), {"2026"}, "2025"),
        (datetime(2022, 6, 1, tzinfo=UTC), set(), None),  # before the first year's deadline
    ],
)
def test_overdue_year(now: datetime, built: set[str], overdue: str | None) -> None:
    assert overdue_letter_year(now, CONFIG, built, first_year=2022) == overdue


@pytest.fixture
def webhook_server() -> Iterator[RecordingServer]:
    with recording_webhook() as server:
        yield server


def evaluate(
    instance: dg.DagsterInstance, cursor: str | None, webhook_url: str
) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"alert_webhook": AlertWebhook(url=webhook_url)}
    )
    return letter_deadline_sensor(context)


def test_sensor_reports_a_missing_letter_once(
    monkeypatch: pytest.MonkeyPatch, webhook_server: RecordingServer
) -> None:
    monkeypatch.setattr(sensors, "current_time", lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    instance = dg.DagsterInstance.ephemeral()
    # The 2023 annex was rebuilt lately; the 2026 one was never built.
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["letter", "annex"], partition="2023")
    )

    first = evaluate(instance, None, webhook_server.url)
    assert isinstance(first, dg.SensorResult)
    assert not first.run_requests
    assert first.cursor == '["2026"]'
    [posted] = webhook_server.received
    assert posted["body"]["reporting_year"] == "2026"
    assert posted["body"]["deadline"] == "2026-12-01"
    assert "not built by its deadline 2026-12-01" in posted["body"]["text"]

    # An hour later: already reported, nothing posted again.
    second = evaluate(instance, first.cursor, webhook_server.url)
    assert isinstance(second, dg.SkipReason)
    assert "(already reported)" in (second.skip_message or "")
    assert len(webhook_server.received) == 1


def test_sensor_is_quiet_when_the_letter_is_built(
    monkeypatch: pytest.MonkeyPatch, webhook_server: RecordingServer
) -> None:
    monkeypatch.setattr(sensors, "current_time", lambda: datetime(2026, 12, 2, 9, tzinfo=UTC))
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["letter", "annex"], partition="2026")
    )
    result = evaluate(instance, None, webhook_server.url)
    assert isinstance(result, dg.SkipReason)
    assert "annex built" in (result.skip_message or "")
    assert webhook_server.received == []
