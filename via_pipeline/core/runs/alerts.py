"""Run-failure records and the webhook that tells people about them.

The webhook URL often carries its secret in the path (Slack, Teams, Mattermost), so it is never
logged: messages show only the scheme and host. Posting never raises; a webhook that is down
must not turn one failure into two.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from via_pipeline.core.timestamps import naive_utc

if TYPE_CHECKING:
    import pandas as pd

ALERT_WEBHOOK_VARIABLE = "VIA_ALERT_WEBHOOK_URL"
RUN_FAILURES_TABLE = "quality.run_failures"
RUN_FAILURE_COLUMNS = (
    "run_id",
    "job_name",
    "partition",
    "failed_at",
    "failed_steps",
    "error_message",
    "notified",
)
# Error texts can be long stack traces; the table and the message keep the start.
MAX_ERROR_CHARS = 2000
DEFAULT_TIMEOUT_SECONDS = 5.0


class AlertConfigurationError(ValueError):
    """The webhook URL is unusable; the message names the variable, never the URL's secret."""


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job_name: str
    partition: str | None
    failed_at: datetime
    failed_steps: tuple[str, ...]
    error_message: str


@dataclass(frozen=True)
class NotifyOutcome:
    """What happened to one webhook post; `problem` is safe to log (no URL in it)."""

    sent: bool
    status: int | None = None
    problem: str | None = None


def redact_webhook_url(url: str) -> str:
    """scheme://host[:port]/… : enough to tell which service, never the token in path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def check_webhook_url(url: str, variable: str = ALERT_WEBHOOK_VARIABLE) -> str:
    """The URL if it is http(s) with a host; urllib would otherwise also open file:// URLs."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertConfigurationError(
            f"{variable}: expected an http(s):// URL with a host, got scheme {parts.scheme!r}"
        )
    return url


def webhook_url_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """VIA_ALERT_WEBHOOK_URL, checked, or None when unset (alerts are optional)."""
    env = os.environ if environ is None else environ
    url = (env.get(ALERT_WEBHOOK_VARIABLE) or "").strip()
    return check_webhook_url(url) if url else None


def failure_message(failure: RunFailure) -> str:
    """One line for chat: which job, which year, which steps, the first line of the error."""
    partition = f" for reporting year {failure.partition}" if failure.partition else ""
    steps = f" in {', '.join(failure.failed_steps)}" if failure.failed_steps else ""
    first_line = (
        failure.error_message.strip().splitlines()[0] if failure.error_message.strip() else ""
    )
    reason = f": {first_line}" if first_line else ""
    return (
        f"via_pipeline run {failure.run_id} of {failure.job_name}{partition} failed{steps}{reason}"
    )


def failure_payload(failure: RunFailure) -> dict[str, Any]:
    """The JSON posted: `text` for chat tools that show one field, the details for the rest."""
    return {
        "text": failure_message(failure),
        "run_id": failure.run_id,
        "job_name": failure.job_name,
        "partition": failure.partition,
        "failed_at": failure.failed_at.isoformat(),
        "failed_steps": list(failure.failed_steps),
        "error": failure.error_message[:MAX_ERROR_CHARS],
    }


def post_json(
    url: str, payload: Mapping[str, Any], timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> NotifyOutcome:
    """POST the payload as JSON; refusal, timeout or HTTP error come back as an outcome."""
    check_webhook_url(url)
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    where = redact_webhook_url(url)
    try:
        # The scheme was checked above: only http(s) reaches urlopen.
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return NotifyOutcome(
            sent=False, status=error.code, problem=f"{where} answered HTTP {error.code}"
        )
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        kind = (
            "timed out"
            if isinstance(reason, TimeoutError)
            else f"unreachable ({type(reason).__name__})"
        )
        return NotifyOutcome(sent=False, problem=f"{where} {kind}")
    return NotifyOutcome(sent=True, status=status)


def run_failure_frame(failure: RunFailure, notified: bool) -> pd.DataFrame:
    """One row for quality.run_failures."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "run_id": failure.run_id,
                "job_name": failure.job_name,
                "partition": failure.partition,
                "failed_at": pd.Timestamp(naive_utc(failure.failed_at)),
                "failed_steps": ", ".join(failure.failed_steps),
                "error_message": failure.error_message[:MAX_ERROR_CHARS],
                "notified": notified,
            }
        ],
        columns=list(RUN_FAILURE_COLUMNS),
    )
