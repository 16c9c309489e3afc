"""The portal's pages and Dutch texts: the upload page and its verdict, the coordinator page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse

from via_pipeline.core.partners.template import find_partner, write_template
from via_pipeline.core.portal.invites import template_path
from via_pipeline.core.portal.overview import overview
from via_pipeline.core.portal.records import Link, Session, Upload
from via_pipeline.core.portal.submissions import (
    judge_upload,
    place_in_inbox,
    write_upload_feedback,
)

if TYPE_CHECKING:
    from via_pipeline.portal.app import Portal

NOT_FOUND = (
    "Deze pagina bestaat niet, of de link is onbekend of niet meer geldig. Open de pagina "
    "opnieuw via uw persoonlijke link; werkt die niet meer, vraag de coördinator om een nieuwe."
)
FORM_EXPIRED = "Het formulier is verlopen of komt niet van deze site. Open de pagina opnieuw via uw link en probeer het nog eens."
TOO_MANY = (
    "U heeft in korte tijd te veel verzoeken gedaan. Wacht een minuut en probeer het dan opnieuw."
)
NO_FILE = "Er is geen bestand meegestuurd. Kies een bestand en probeer het opnieuw."
ONE_FILE = "Lever één bestand per keer aan, met het formulier op de pagina."
ERROR = "Er ging iets mis bij het verwerken. Probeer het later opnieuw of neem contact op met de coördinator."


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB".replace(".", ",")


def too_large_text(limit: int) -> str:
    return f"Het bestand is te groot: de grens is {_size(limit)}. Uw bestand is niet aangenomen."


def closed_text(portal: Portal, year: int) -> str:
    return (
        f"De termijn voor het aanleveren over {year} is verstreken op "
        f"{portal.config.deadline_text(year)} (Nederlandse tijd). Uw bestand is niet aangenomen. "
        "Neem contact op met de coördinator van Werkagenda VIA."
    )


def _local(portal: Portal, upload: Upload) -> str:
    return upload.received_at.astimezone(portal.config.zone).strftime("%d-%m-%Y %H:%M")


def template_file(portal: Portal, link: Link) -> Path:
    """The template written at invite time; an empty one when that is gone."""
    assert link.partner_id is not None and link.reporting_year is not None
    path = template_path(portal.paths, link.partner_id, link.reporting_year)
    if not path.is_file():
        write_template(
            portal.partners, portal.themes, link.partner_id, link.reporting_year, path.parent
        )
    return path


def upload_page(
    portal: Portal, session: Session, upload: Upload | None = None, status: int = 200
) -> HTMLResponse:
    link = session.link
    assert link.partner_id is not None and link.reporting_year is not None
    partner = find_partner(portal.partners, link.partner_id)
    history = [
        {"received": _local(portal, item), "upload": item}
        for item in portal.records.uploads(link.partner_id, link.reporting_year)
    ]
    return portal.render(
        "upload.html",
        status,
        title=f"Voortgang {link.reporting_year}",
        partner_name=partner.name,
        year=link.reporting_year,
        deadline=portal.config.deadline_text(link.reporting_year),
        closed=portal.clock() >= portal.config.deadline(link.reporting_year),
        csrf_token=session.csrf_token,
        template_name=f"{link.partner_id}_{link.reporting_year}.xlsx",
        max_size=_size(portal.limits.max_file_bytes),
        verdict=upload.verdict if upload else None,
        upload=upload,
        history=history,
    )


def take_upload(
    portal: Portal, session: Session, sent_name: str, content: bytes, client: str
) -> HTMLResponse:
    """Judge the bytes with the intake's checks; into the inbox when accepted, feedback when not."""
    link, now = session.link, portal.clock()
    assert link.partner_id is not None and link.reporting_year is not None
    judged = judge_upload(
        content,
        sent_name,
        link.partner_id,
        link.reporting_year,
        portal.partners,
        portal.themes,
        portal.years(),
    )
    feedback_path = inbox_path = None
    if judged.accepted:
        inbox_path = place_in_inbox(
            content, judged.stored_name, portal.paths.staging, portal.paths.inbox
        )
    else:
        feedback_path = write_upload_feedback(
            portal.paths.feedback, link.partner_id, link.reporting_year, judged
        )
    upload_id = portal.records.record_upload(
        link,
        now,
        sent_name[:200],
        judged.stored_name,
        judged.sha256,
        judged.size_bytes,
        judged.problems,
        feedback_path,
        inbox_path,
    )
    verdict = "accepted" if judged.accepted else "rejected"
    portal.records.audit(
        f"upload_{verdict}",
        now,
        link=link,
        client=client,
        detail=f"upload {upload_id} {judged.stored_name} {judged.sha256[:12]} {judged.size_bytes} bytes, {len(judged.problems)} problem(s)",
    )
    upload = portal.records.upload(upload_id)
    return upload_page(portal, session, upload, 200 if judged.accepted else 422)


def coordinator_page(portal: Portal, year: int, years: list[int]) -> HTMLResponse:
    rows = []
    for row in overview(portal.records, portal.partners, year):
        link, last = row.link, row.last_upload
        rows.append(
            {
                "name": row.partner.name,
                "partner_id": row.partner.partner_id,
                "link": (
                    "nee"
                    if link is None
                    else link.created_at.astimezone(portal.config.zone).strftime("%d-%m-%Y")
                    + (" (ingetrokken)" if link.revoked_at else "")
                ),
                "last_upload": f"{_local(portal, last)} {last.sent_name}" if last else "",
                "verdict": ""
                if last is None
                else ("goedgekeurd" if last.verdict == "accepted" else "niet aangenomen"),
                "open_problems": row.open_problems if last else "",
                "uploads": row.upload_count,
                "feedback": [
                    {"upload_id": item.upload_id, "received": _local(portal, item)}
                    for item in row.rejected_uploads
                ],
            }
        )
    return portal.render(
        "coordinator.html",
        title=f"Aanleveringen {year}",
        year=year,
        years=years,
        deadline=portal.config.deadline_text(year),
        rows=rows,
    )
