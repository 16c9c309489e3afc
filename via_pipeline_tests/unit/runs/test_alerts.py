"""Guards the run-failure webhook: JSON reaches a real HTTP server, and a webhook that is down,
slow or failing never raises and never puts the URL's secret path in a message."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from via_pipeline.core.runs.alerts import (
    AlertConfigurationError,
    RunFailure,
    failure_message,
    failure_payload,
    post_json,
    redact_webhook_url,
    run_failure_frame,
    webhook_url_from_environment,
)
from via_pipeline_tests.support.webhook import SECRET_PATH, RecordingServer, recording_webhook

FAILURE = RunFailure(
    run_id="abc123",
    job_name="via_yearly_build_job",
    partition="2025",
    failed_at=datetime(2026, 11, 28, 14, 0, tzinfo=UTC),
    failed_steps=("cbs__tables",),
    error_message="CBS did not answer: timeout after 30 s\nTraceback ...",
)


@pytest.fixture
def webhook_server() -> Iterator[RecordingServer]:
    with recording_webhook() as server:
        yield server


def test_payload_is_posted_as_json(webhook_server: RecordingServer) -> None:
    outcome = post_json(webhook_server.url, failure_payload(FAILURE))
    assert outcome.sent and outcome.status == 200
    [request] = webhook_server.received
    assert request["path"] == SECRET_PATH
    assert request["type"].startswith("application/json")
    body = request["body"]
    assert body["run_id"] == "abc123"
    assert body["job_name"] == "via_yearly_build_job"
    assert body["partition"] == "2025"
    assert body["failed_steps"] == ["cbs__tables"]
    assert body["failed_at"] == "2026-11-28T14:00:00+00:00"
    assert body["text"] == (
        "via_pipeline run abc123 of via_yearly_build_job for reporting year 2025 failed in "
        "cbs__tables: CBS did not answer: timeout after 30 s"
    )


def test_http_error_comes_back_without_the_secret(webhook_server: RecordingServer) -> None:
    webhook_server.status = 500
    outcome = post_json(webhook_server.url, {"text": "x"})
    assert not outcome.sent
    assert outcome.status == 500
    assert outcome.problem is not None and "answered HTTP 500" in outcome.problem
    assert "s3cr3t" not in outcome.problem


def test_slow_webhook_times_out(webhook_server: RecordingServer) -> None:
    webhook_server.delay = 2.0
    started = time.monotonic()
    outcome = post_json(webhook_server.url, {"text": "x"}, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert not outcome.sent
    assert outcome.problem is not None and "timed out" in outcome.problem
    assert "s3cr3t" not in outcome.problem


def test_webhook_that_is_down_does_not_raise() -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = post_json(f"http://127.0.0.1:{port}{SECRET_PATH}", {"text": "x"}, timeout=1)
    assert not outcome.sent and outcome.status is None
    assert outcome.problem == f"http://127.0.0.1:{port}/… unreachable (ConnectionRefusedError)"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"VIA_ALERT_WEBHOOK_URL": "  "}, None),
        ({"VIA_ALERT_WEBHOOK_URL": "https://hooks.example.org/x"}, "https://hooks.example.org/x"),
    ],
)
def test_webhook_url_comes_from_the_environment(
    environ: dict[str, str], expected: str | None
) -> None:
    assert webhook_url_from_environment(environ) == expected


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/x", "hooks.example.org/x"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(AlertConfigurationError, match="VIA_ALERT_WEBHOOK_URL: expected an http"):
        webhook_url_from_environment({"VIA_ALERT_WEBHOOK_URL": url})


def test_redacted_url_keeps_host_only() -> None:
    redacted = redact_webhook_url("https://user:pw@hooks.example.org:8443/services/s3cr3t?token=t")
    assert redacted == "https://hooks.example.org:8443/…"


def test_message_without_partition_or_steps() -> None:
    failure = RunFailure("r1", "cbs_refresh_job", None, FAILURE.failed_at, (), "")
    assert failure_message(failure) == "via_pipeline run r1 of cbs_refresh_job failed"


def test_failure_row_is_naive_utc_with_the_table_columns() -> None:
    frame = run_failure_frame(FAILURE, notified=True)
    assert list(frame.columns) == [
        "run_id",
        "job_name",
        "partition",
        "failed_at",
        "failed_steps",
        "error_message",
        "notified",
    ]
    row = frame.iloc[0]
    assert row["failed_at"].tzinfo is None and row["failed_at"].hour == 14
    assert row["failed_steps"] == "cbs__tables" and bool(row["notified"]) is True
