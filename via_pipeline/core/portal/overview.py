"""The coordinator page's table: per partner of a year, link, last upload, verdict, open problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from via_pipeline.core.partners.registry import Partner
from via_pipeline.core.portal.records import Link, PortalRecords, Upload


@dataclass(frozen=True)
class PartnerRow:
    partner: Partner
    link: Link | None  # the newest link of the year
    last_upload: Upload | None
    rejected_uploads: tuple[Upload, ...]  # every rejected upload, newest first (feedback files)
    upload_count: int = 0

    @property
    def open_problems(self) -> int:
        """Problems of the last upload when it was rejected; none once a file was accepted."""
        if self.last_upload is None or self.last_upload.verdict == "accepted":
            return 0
        return len(self.last_upload.problems)


def overview(records: PortalRecords, partners: Sequence[Partner], year: int) -> list[PartnerRow]:
    links: dict[str, Link] = {}
    for link in records.links(year):
        if link.role == "partner" and link.partner_id is not None:
            links[link.partner_id] = link  # ordered by id: the newest wins
    uploads = records.uploads(year=year)
    rows = []
    for partner in partners:
        if not partner.takes_part_in(year):
            continue
        mine = [upload for upload in uploads if upload.partner_id == partner.partner_id]
        rows.append(
            PartnerRow(
                partner,
                links.get(partner.partner_id),
                mine[0] if mine else None,
                tuple(upload for upload in mine if upload.verdict == "rejected"),
                len(mine),
            )
        )
    return rows
