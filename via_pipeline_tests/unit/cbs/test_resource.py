"""Guards the `cbs` resource: settings come from VIA_CBS_* when a run starts (fields override
them), a bad source is a configuration error naming it, and each mode gets the right reader."""

from __future__ import annotations

import pytest

from via_pipeline.core.settings.environment import ConfigurationError
from via_pipeline.defs.cbs.resources import CbsStatLine


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIA_CBS_SOURCE", "auto")
    monkeypatch.setenv("VIA_CBS_CATALOG_URL", "127.0.0.1:8123")
    monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
    resource = CbsStatLine(timeout_seconds=5.0, retries=1)
    client = resource.live_client(warn=lambda message: None)
    assert (client.catalog_url, client.use_https) == ("127.0.0.1:8123", False)
    assert (client.policy.timeout_seconds, client.policy.retries) == (5.0, 1)
    reader = resource.reader(warn=lambda message: None)
    assert reader.mode == "auto" and reader.live is not None


def test_fields_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIA_CBS_SOURCE", "live")
    resource = CbsStatLine(source="snapshot", catalog_url="mirror.example:80", use_https=True)
    assert resource.mode() == "snapshot"
    assert resource.reader(warn=lambda message: None).live is None
    assert resource.live_client(warn=lambda message: None).describe() == "https://mirror.example:80"


def test_a_bad_source_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIA_CBS_SOURCE", "sometimes")
    with pytest.raises(ConfigurationError, match="VIA_CBS_SOURCE"):
        CbsStatLine().mode()
    with pytest.raises(ConfigurationError, match=r"CbsStatLine\.source"):
        CbsStatLine(source="sometimes").mode()
