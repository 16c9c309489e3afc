"""Links and sessions in the portal's records: hashes only, same answer for unknown/revoked/expired."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.portal.config import load_portal_config, parse_portal_config, reporting_years
from via_pipeline.core.portal.invites import (
    InviteError,
    invite_coordinator,
    invite_partner,
    listing_lines,
    revoke,
)
from via_pipeline.core.portal.paths import PortalPaths
from via_pipeline.core.portal.records import PortalRecords
from via_pipeline.core.portal.tokens import looks_like_token, token_hash
from via_pipeline.core.settings.config import ConfigFileError

NOW = datetime(2023, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path: Path) -> PortalPaths:
    return PortalPaths(tmp_path / "data")


def _invite(paths: PortalPaths, records: PortalRecords, partner: str = "abu", year: int = 2023):
    return invite_partner(
        records,
        paths,
        load_portal_config(),
        load_partners(),
        load_themes(),
        partner,
        year,
        "https://portal.example.nl/",
        NOW,
        f"duckdb:///{paths.data_dir / 'absent.duckdb'}",
    )


def test_the_deadline_is_amsterdam_time_of_the_reporting_year() -> None:
    config = load_portal_config()
    assert config.deadline(2023) == datetime(2023, 9, 15, 21, 59, tzinfo=UTC)  # CEST
    assert config.deadline_text(2023) == "15-09-2023 om 23:59"
    assert reporting_years(datetime(2026, 12, 4).date()) == [2022, 2023, 2024, 2025, 2026]


def test_a_deadline_for_one_year_overrides_and_a_bad_one_names_the_key() -> None:
    document = {
        "timezone": "Europe/Amsterdam",
        "submission_deadline": {"month": 9, "day": 15, "time": "23:59"},
        "deadlines": {2026: "2026-12-31 17:00"},
        "session_hours": 8,
        "coordinator_link_days": 90,
        "rate_limits": {
            "link_opens_per_minute": 1,
            "uploads_per_minute": 1,
            "requests_per_minute": 1,
        },
    }
    config = parse_portal_config(document, "portal.yaml")
    assert config.deadline(2026) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # CET
    document["deadlines"] = {2026: "31-12-2026"}
    with pytest.raises(
        ConfigFileError, match=r'portal.yaml: deadlines `2026` must be "YYYY-MM-DD HH:MM"'
    ):
        parse_portal_config(document, "portal.yaml")


def test_the_reporting_years_match_the_dagster_partitions() -> None:
    from via_pipeline.defs.partitions import reporting_year_partitions

    keys = [int(key) for key in reporting_year_partitions.get_partition_keys()]
    assert reporting_years(datetime.now(UTC).date()) == keys


def test_a_link_is_stored_as_its_hash_only_and_opens_until_the_deadline(paths: PortalPaths) -> None:
    records = PortalRecords(paths.records)
    invite = _invite(paths, records)
    token = invite.url.rsplit("/", 1)[-1]
    assert invite.url == f"https://portal.example.nl/l/{token}" and looks_like_token(token)
    assert (paths.templates / "abu_2023.xlsx").is_file()
    raw = paths.records.read_bytes() + b"".join(
        p.read_bytes() for p in paths.root.glob("portal.sqlite3*")
    )
    assert token.encode() not in raw
    with sqlite3.connect(paths.records) as conn:
        assert conn.execute("SELECT token_sha256 FROM links").fetchall() == [(token_hash(token),)]
    link = records.link_for_token(token, NOW + timedelta(days=30))
    assert link is not None and (link.partner_id, link.reporting_year) == ("abu", 2023)
    assert records.link_for_token(token, NOW + timedelta(days=30)) is not None  # used again
    assert records.link_for_token(token, datetime(2023, 9, 15, 22, 0, tzinfo=UTC)) is None
    assert records.link_for_token("x" * 43, NOW) is None


def test_a_revoked_link_and_its_sessions_end(paths: PortalPaths) -> None:
    records = PortalRecords(paths.records)
    token = _invite(paths, records).url.rsplit("/", 1)[-1]
    link = records.link_for_token(token, NOW)
    assert link is not None
    session_token, csrf = records.create_session(link, NOW, hours=8)
    session = records.session(session_token, NOW)
    assert session is not None and session.csrf_token == csrf
    assert records.session(session_token, NOW + timedelta(hours=9)) is None
    assert revoke(records, "abu", 2023, NOW) == 1
    assert records.link_for_token(token, NOW) is None
    assert records.session(session_token, NOW) is None
    assert revoke(records, "abu", 2023, NOW) == 0


def test_invites_are_refused_for_unknown_partners_and_past_deadlines(paths: PortalPaths) -> None:
    records = PortalRecords(paths.records)
    with pytest.raises(InviteError, match="unknown partner 'nobody'"):
        _invite(paths, records, partner="nobody")
    with pytest.raises(
        InviteError,
        match=r"the submission deadline of 2022 \(2022-09-15 23:59 Europe/Amsterdam\) has passed",
    ):
        _invite(paths, records, year=2022)
    assert records.links() == []


def test_the_listing_names_links_and_last_uploads_without_tokens(paths: PortalPaths) -> None:
    records = PortalRecords(paths.records)
    invite = _invite(paths, records)
    coordinator = invite_coordinator(records, load_portal_config(), "https://p.example.nl", NOW)
    assert coordinator.link.expires_at == NOW + timedelta(days=90)
    lines = listing_lines(records, NOW)
    assert lines == [
        "abu 2023: link 1 active, made 2023-06-01 10:00 UTC, valid until 2023-09-15 21:59 UTC, "
        "never opened; no upload yet",
        "coordinator: link 2 active, made 2023-06-01 10:00 UTC, valid until 2023-08-30 10:00 UTC, "
        "never opened",
    ]
    assert all(invite.url.rsplit("/", 1)[-1] not in line for line in lines)
