"""The portal's web app: personal link -> session, the upload page, downloads, the coordinator page.

A shell over core.portal (records, the intake's checks, the inbox). Every path on disk is built
by the server: from the session's link (partner id, year) or an upload id in the records, never
from what the browser sends. Unknown, revoked or expired links, and anything of another
partner, get the same 404.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from via_pipeline.core.partners.limits import load_limits
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.portal.config import load_portal_config, now_utc, reporting_years
from via_pipeline.core.portal.paths import PortalPaths
from via_pipeline.core.portal.records import PortalRecords, Session
from via_pipeline.core.settings.paths import CONFIG_DIR
from via_pipeline.portal import pages
from via_pipeline.portal.security import ENVELOPE_BYTES, LOG, PortalGuard, RateLimiter

HERE = Path(__file__).resolve().parent
COOKIE = "via_sessie"
TLS_COOKIE = "__Host-via_sessie"  # only over TLS: Secure, Path=/, no Domain
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Portal:
    """What the routes share: records, config, the registry, the rate limiter and the clock."""

    def __init__(self, data_dir: Path, config_dir: Path, clock: Callable[[], datetime]) -> None:
        self.paths = PortalPaths(data_dir)
        self.records = PortalRecords(self.paths.records)
        self.config = load_portal_config(config_dir)
        self.limits = load_limits(config_dir)
        self.partners = load_partners(config_dir)
        self.themes = load_themes(config_dir)
        self.clock = clock
        self.limiter = RateLimiter()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.templates.get_template(name).render(**context), status)

    def message(self, status: int, title: str, text: str) -> HTMLResponse:
        return self.render("message.html", status, title=title, message=text)

    def years(self) -> list[int]:
        return reporting_years(self.clock().astimezone(self.config.zone).date())

    def session(self, request: Request, role: str) -> Session:
        """The request's live session of this role; otherwise the same 404 as an unknown page."""
        cookie = request.cookies.get(TLS_COOKIE if request.url.scheme == "https" else COOKIE)
        session = self.records.session(cookie, self.clock()) if cookie else None
        if session is None or session.link.role != role:
            raise HTTPException(404)
        return session


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def same_origin(request: Request) -> bool:
    """Whether a POST comes from this site, as far as the browser says.

    An Origin other than ours is refused. Under `Referrer-Policy: no-referrer` Chromium sends
    `Origin: null` for the site's own forms, so then (and when no Origin is sent) the Fetch
    Metadata header decides where the browser sends one: it must be `same-origin`. A client
    sending neither is no browser carrying someone's cookie; the CSRF token still holds.
    """
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return origin == f"{request.url.scheme}://{request.url.netloc}"
    site = request.headers.get("sec-fetch-site")
    return site is None or site == "same-origin"


async def open_link(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    now, client = portal.clock(), client_of(request)
    if not portal.limiter.allow(f"link:{client}", portal.config.rate_limits.link_opens_per_minute):
        portal.records.audit("link_rate_limited", now, client=client)
        return portal.message(429, "Even geduld", pages.TOO_MANY)
    link = portal.records.link_for_token(str(request.path_params["token"]), now)
    if link is None:
        portal.records.audit("link_refused", now, client=client)
        raise HTTPException(404)
    session_token, _ = portal.records.create_session(link, now, portal.config.session_hours)
    portal.records.audit("link_opened", now, link=link, client=client)
    target = "/coordinator" if link.role == "coordinator" else "/"
    response = RedirectResponse(target, status_code=303)
    tls = request.url.scheme == "https"
    response.set_cookie(
        TLS_COOKIE if tls else COOKIE,
        session_token,
        max_age=portal.config.session_hours * 3600,
        path="/",
        secure=tls,
        httponly=True,
        samesite="lax",
    )
    return response


async def upload_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    session = portal.session(request, "partner")
    return pages.upload_page(portal, session)


async def upload(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    session = portal.session(request, "partner")
    link, now, client = session.link, portal.clock(), client_of(request)
    assert link.partner_id is not None and link.reporting_year is not None
    if not same_origin(request):
        portal.records.audit("upload_refused", now, link=link, client=client, detail="origin")
        return portal.message(403, "Niet toegestaan", pages.FORM_EXPIRED)
    if not portal.limiter.allow(
        f"upload:{link.link_id}", portal.config.rate_limits.uploads_per_minute
    ):
        portal.records.audit("upload_rate_limited", now, link=link, client=client)
        return portal.message(429, "Even geduld", pages.TOO_MANY)
    try:
        async with request.form(max_files=1, max_fields=4) as form:
            token = form.get("csrf_token")
            if not isinstance(token, str) or not hmac.compare_digest(
                token.encode(), session.csrf_token.encode()
            ):
                portal.records.audit("upload_refused", now, link=link, client=client, detail="csrf")
                return portal.message(403, "Niet toegestaan", pages.FORM_EXPIRED)
            if now >= portal.config.deadline(link.reporting_year):
                portal.records.audit(
                    "upload_refused", now, link=link, client=client, detail="deadline"
                )
                return portal.message(
                    403, "Termijn verstreken", pages.closed_text(portal, link.reporting_year)
                )
            files = form.getlist("file")
            if len(files) != 1 or not isinstance(files[0], UploadFile):
                return portal.message(400, "Geen bestand", pages.NO_FILE)
            sent_name = files[0].filename or ""
            content = await files[0].read()
    except HTTPException as error:  # python-multipart's refusals (a second file, a bad body)
        portal.records.audit(
            "upload_refused", now, link=link, client=client, detail=str(error.detail)
        )
        return portal.message(400, "Niet verwerkt", pages.ONE_FILE)
    # The checks take up to a second or two for a large workbook: off the event loop.
    return await run_in_threadpool(pages.take_upload, portal, session, sent_name, content, client)


async def template(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    session = portal.session(request, "partner")
    path = pages.template_file(portal, session.link)
    return attachment(path, path.name)


async def feedback(request: Request) -> Response:
    """A rejected upload's feedback workbook: the partner's own, or any for the coordinator."""
    portal: Portal = request.app.state.portal
    cookie = request.cookies.get(TLS_COOKIE if request.url.scheme == "https" else COOKIE)
    session = portal.records.session(cookie, portal.clock()) if cookie else None
    found = portal.records.upload(int(request.path_params["upload_id"]))
    if session is None or found is None or found.feedback_path is None:
        raise HTTPException(404)
    link = session.link
    if link.role != "coordinator" and (link.partner_id, link.reporting_year) != (
        found.partner_id,
        found.reporting_year,
    ):
        raise HTTPException(404)
    path = found.feedback_path
    if not path.resolve().is_relative_to(portal.paths.feedback.resolve()) or not path.is_file():
        raise HTTPException(404)
    portal.records.audit(
        "feedback_downloaded",
        portal.clock(),
        link=link,
        client=client_of(request),
        detail=f"upload {found.upload_id}",
    )
    return attachment(path, f"terugkoppeling_{path.name}")


async def coordinator(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    portal.session(request, "coordinator")
    years = portal.years()
    raw = request.query_params.get("jaar", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else years[-1]
    return pages.coordinator_page(portal, year, years)


async def stylesheet(request: Request) -> Response:
    return FileResponse(HERE / "static" / "portal.css", media_type="text/css")


def attachment(path: Path, name: str) -> Response:
    return FileResponse(
        path,
        media_type=XLSX_TYPE if path.suffix == ".xlsx" else "application/octet-stream",
        filename=name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


async def not_found(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return portal.message(404, "Niet gevonden", pages.NOT_FOUND)
    return portal.message(status, "Niet verwerkt", pages.ONE_FILE if status == 400 else pages.ERROR)


def create_app(
    data_dir: Path,
    config_dir: Path = CONFIG_DIR,
    clock: Callable[[], datetime] = now_utc,
) -> PortalGuard:
    portal = Portal(data_dir, config_dir, clock)
    app = Starlette(
        routes=[
            Route("/l/{token:str}", open_link),
            Route("/", upload_page),
            Route("/upload", upload, methods=["POST"]),
            Route("/sjabloon", template),
            Route("/terugkoppeling/{upload_id:int}", feedback),
            Route("/coordinator", coordinator),
            Route("/static/portal.css", stylesheet),
        ],
        exception_handlers={HTTPException: not_found},
    )
    app.state.portal = portal
    logging.getLogger("via_pipeline.portal").setLevel(logging.INFO)
    guard = PortalGuard(
        app,
        portal.limits.max_file_bytes + ENVELOPE_BYTES,
        portal.config.rate_limits.requests_per_minute,
        portal.limiter,
        pages.too_large_text(portal.limits.max_file_bytes),
        pages.TOO_MANY,
    )
    LOG.debug("portal ready on %s", portal.paths.root)
    return guard
