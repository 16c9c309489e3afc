"""`via-pipeline portal`: the partner portal (serve) and its personal links (invite, revoke, list)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from via_pipeline.cli.common import say
from via_pipeline.core.settings.environment import Settings

BASE_URL_VARIABLE = "VIA_PORTAL_BASE_URL"


def _records(settings: Settings) -> Any:
    from via_pipeline.core.portal.paths import PortalPaths
    from via_pipeline.core.portal.records import PortalRecords

    paths = PortalPaths(settings.data_dir)
    return paths, PortalRecords(paths.records)


def command_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the portal with uvicorn (loopback by default; behind a TLS proxy in production)."""
    import logging

    import uvicorn

    from via_pipeline.portal.app import create_app

    app = create_app(settings.data_dir)
    # One line per request (method, path with any link token cut off, status, client) on stderr.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    say(f"portal on http://{args.host}:{args.port} (records in {settings.data_dir / 'portal'})")
    # No access log: a link's path holds its token. The app logs requests itself, redacted.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,
        log_level="info",
    )
    return 0


def command_invite(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.partners.registry import load_partners, load_themes
    from via_pipeline.core.portal.config import load_portal_config, now_utc
    from via_pipeline.core.portal.invites import InviteError, invite_coordinator, invite_partner

    paths, records = _records(settings)
    config = load_portal_config()
    base_url = args.base_url or os.environ.get(BASE_URL_VARIABLE) or "http://127.0.0.1:8080"
    if args.coordinator:
        invite = invite_coordinator(records, config, base_url, now_utc())
        say(f"coordinator link, valid until {invite.link.expires_at:%Y-%m-%d %H:%M} UTC:")
    else:
        if args.partner is None or args.year is None:
            print(
                "via-pipeline: portal invite: give --partner and --year, or --coordinator",
                file=sys.stderr,
            )
            return 2
        try:
            invite = invite_partner(
                records,
                paths,
                config,
                load_partners(),
                load_themes(),
                args.partner,
                args.year,
                base_url,
                now_utc(),
                settings.warehouse_url,
            )
        except InviteError as error:
            print(f"via-pipeline: portal invite: {error}", file=sys.stderr)
            return 2
        say(
            f"link for {args.partner} {args.year}, valid until the deadline "
            f"{config.deadline_text(args.year)} ({config.timezone}); template: {invite.note}:"
        )
    print(invite.url, flush=True)
    return 0


def command_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.portal.config import now_utc
    from via_pipeline.core.portal.invites import revoke

    if not args.coordinator and (args.partner is None or args.year is None):
        print(
            "via-pipeline: portal revoke: give --partner and --year, or --coordinator",
            file=sys.stderr,
        )
        return 2
    _, records = _records(settings)
    partner, year = (None, None) if args.coordinator else (args.partner, args.year)
    count = revoke(records, partner, year, now_utc())
    who = "the coordinator" if args.coordinator else f"{args.partner} {args.year}"
    say(f"{count} link(s) of {who} revoked" if count else f"no active link of {who}")
    return 0


def command_list(args: argparse.Namespace, settings: Settings) -> int:
    from via_pipeline.core.portal.config import now_utc
    from via_pipeline.core.portal.invites import listing_lines

    _, records = _records(settings)
    lines = listing_lines(records, now_utc(), args.year)
    for line in lines or ["no links yet (via-pipeline portal invite --partner ID --year YYYY)"]:
        say(line)
    return 0


def _who(parser: Any) -> None:
    parser.add_argument("--partner", help="partner id, e.g. abu")
    parser.add_argument("--year", type=int, help="reporting year")
    parser.add_argument("--coordinator", action="store_true", help="the coordinator's link")


def add_commands(commands: Any) -> None:
    portal = commands.add_parser("portal", help="the partner portal and its personal links")
    actions = portal.add_subparsers(dest="portal_command", required=True)
    serve = actions.add_parser("serve", help="run the portal web server")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default loopback)"
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose X-Forwarded-Proto/For are trusted (default: a proxy on this machine)",
    )
    serve.set_defaults(handler=command_serve)
    invite = actions.add_parser(
        "invite", help="print a personal link (partner-year or coordinator)"
    )
    _who(invite)
    invite.add_argument(
        "--base-url", help=f"the portal's public address (default ${BASE_URL_VARIABLE} or loopback)"
    )
    invite.set_defaults(handler=command_invite)
    revoke = actions.add_parser("revoke", help="end a partner-year's (or the coordinator's) links")
    _who(revoke)
    revoke.set_defaults(handler=command_revoke)
    listing = actions.add_parser("list", help="who has a link and who uploaded what")
    listing.add_argument("--year", type=int, help="only this reporting year")
    listing.set_defaults(handler=command_list)
