"""Personal links: a partner's for one reporting year (until its deadline), the coordinator's.

`invite` also writes the partner's template (the one `via-pipeline template` writes, with last
year's open actions carried forward): the warehouse is read here, by the operator's command,
so the web server never opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.partners.template import (
    TemplateError,
    carried_actions_or_none,
    find_partner,
    write_template,
)
from via_pipeline.core.portal.config import PortalConfig, reporting_years
from via_pipeline.core.portal.paths import PortalPaths
from via_pipeline.core.portal.records import Link, PortalRecords, Upload

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
LINK_PATH = "/l/"


class InviteError(ValueError):
    """No link can be made: unknown partner, a year not reported on, a deadline passed."""


@dataclass(frozen=True)
class Invite:
    url: str
    link: Link
    note: str  # what the template holds


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def template_path(paths: PortalPaths, partner_id: str, year: int) -> Path:
    return paths.templates / f"{partner_id}_{year}.xlsx"


def invite_partner(
    records: PortalRecords,
    paths: PortalPaths,
    config: PortalConfig,
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    partner_id: str,
    year: int,
    base_url: str,
    now: datetime,
    warehouse_url: str,
) -> Invite:
    try:
        partner = find_partner(partners, partner_id)
    except TemplateError as error:
        raise InviteError(str(error)) from None
    years = reporting_years(now.astimezone(config.zone).date())
    if year not in years:
        raise InviteError(f"year {year} is not a reporting year ({years[0]}..{years[-1]})")
    if not partner.takes_part_in(year):
        raise InviteError(
            f"partner {partner_id} does not take part in {year} (config/partners.yaml)"
        )
    deadline = config.deadline(year)
    if now >= deadline:
        raise InviteError(
            f"the submission deadline of {year} ({deadline:%Y-%m-%d %H:%M} {config.timezone}) "
            "has passed; set a later one under `deadlines:` in config/portal.yaml"
        )
    carried, note = carried_actions_or_none(warehouse_url, partner_id, year)
    write_template(partners, themes, partner_id, year, paths.templates, "xlsx", carried)
    token, link = records.create_link("partner", partner_id, year, deadline, now)
    records.audit("link_created", now, link=link)
    return Invite(link_url(base_url, token), link, note)


def invite_coordinator(
    records: PortalRecords, config: PortalConfig, base_url: str, now: datetime
) -> Invite:
    expires = now + timedelta(days=config.coordinator_link_days)
    token, link = records.create_link("coordinator", None, None, expires, now)
    records.audit("link_created", now, link=link)
    return Invite(link_url(base_url, token), link, "")


def revoke(records: PortalRecords, partner_id: str | None, year: int | None, now: datetime) -> int:
    """End a partner-year's links (or, with neither given, the coordinator's)."""
    role = "coordinator" if partner_id is None else "partner"
    count = records.revoke(role, partner_id, year, now)
    records.audit("link_revoked", now, detail=f"{role} {partner_id or ''} {year or ''}: {count}")
    return count


def link_state(link: Link, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "active" if now < link.expires_at else "expired"


def listing_lines(records: PortalRecords, now: datetime, year: int | None = None) -> list[str]:
    """`portal list`: one line per link, with the last upload of its partner-year."""
    uploads: dict[tuple[str, int], Upload] = {}
    for upload in records.uploads(year=year):
        uploads.setdefault((upload.partner_id, upload.reporting_year), upload)
    lines = []
    for link in records.links(year):
        who = (
            "coordinator"
            if link.role == "coordinator"
            else f"{link.partner_id} {link.reporting_year}"
        )
        line = (
            f"{who}: link {link.link_id} {link_state(link, now)}, made {link.created_at:%Y-%m-%d %H:%M} UTC, "
            f"valid until {link.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        line += (
            f", last opened {link.last_used_at:%Y-%m-%d %H:%M} UTC"
            if link.last_used_at
            else ", never opened"
        )
        if link.role == "partner":
            last = uploads.get((str(link.partner_id), int(link.reporting_year or 0)))
            line += (
                f"; last upload {last.received_at:%Y-%m-%d %H:%M} UTC {last.sent_name!r} {last.verdict}"
                + (f" ({len(last.problems)} problem(s))" if last.problems else "")
                if last
                else "; no upload yet"
            )
        lines.append(line)
    return lines
