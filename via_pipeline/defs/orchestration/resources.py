"""The alert webhook as a resource, so tests and deployments can point it somewhere else."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from via_pipeline.core.runs.alerts import NotifyOutcome

# core.runs.alerts.DEFAULT_TIMEOUT_SECONDS (a test keeps them equal): core.runs.alerts, with
# urllib.request, is imported when an alert is sent, not when the code location loads.
DEFAULT_TIMEOUT_SECONDS = 5.0


class AlertWebhook(dg.ConfigurableResource):
    """Where run failures are posted as JSON.

    `url` empty means VIA_ALERT_WEBHOOK_URL, read when the sensor runs; unset means no alerts
    (failures are still recorded in quality.run_failures).
    """

    url: str = ""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def resolved_url(self) -> str | None:
        from via_pipeline.core.runs.alerts import check_webhook_url, webhook_url_from_environment

        return check_webhook_url(self.url) if self.url else webhook_url_from_environment()

    def describe(self) -> str:
        """Where alerts go, safe to log."""
        from via_pipeline.core.runs.alerts import redact_webhook_url

        url = self.resolved_url()
        return redact_webhook_url(url) if url else "nowhere (VIA_ALERT_WEBHOOK_URL unset)"

    def notify(self, payload: dict[str, object]) -> NotifyOutcome | None:
        """Post the payload; None when no webhook is set. A webhook that is down never raises."""
        from via_pipeline.core.runs.alerts import post_json

        url = self.resolved_url()
        if url is None:
            return None
        return post_json(url, payload, timeout=self.timeout_seconds)
