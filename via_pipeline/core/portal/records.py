"""The portal's own records in SQLite (VIA_DATA_DIR/portal/portal.sqlite3): links, sessions,
uploads and the audit log. Never the warehouse: the portal works while a run writes.

Tokens are stored only as their SHA-256; a token found by its hash is compared once more in
constant time. Times are ISO text in UTC. One short connection per call (threads of the web
server never share one); WAL lets `portal list` read while the server writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from via_pipeline.core.partners.problems import Problem
from via_pipeline.core.portal.tokens import new_token, same_secret, token_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    link_id INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('partner', 'coordinator')),
    partner_id TEXT,
    reporting_year INTEGER,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    session_sha256 TEXT PRIMARY KEY,
    link_id INTEGER NOT NULL REFERENCES links (link_id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id INTEGER PRIMARY KEY,
    link_id INTEGER NOT NULL REFERENCES links (link_id),
    partner_id TEXT NOT NULL,
    reporting_year INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    sent_name TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    problems TEXT NOT NULL,
    feedback_path TEXT,
    inbox_path TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    audit_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    role TEXT,
    partner_id TEXT,
    reporting_year INTEGER,
    link_id INTEGER,
    client TEXT,
    detail TEXT
);
"""


@dataclass(frozen=True)
class Link:
    link_id: int
    role: str
    partner_id: str | None
    reporting_year: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class Session:
    link: Link
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Upload:
    upload_id: int
    link_id: int
    partner_id: str
    reporting_year: int
    received_at: datetime
    sent_name: str
    stored_name: str
    sha256: str
    size_bytes: int
    verdict: str
    problems: tuple[Problem, ...]
    feedback_path: Path | None
    inbox_path: Path | None


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _link(row: sqlite3.Row) -> Link:
    return Link(
        int(row["link_id"]),
        str(row["role"]),
        row["partner_id"],
        row["reporting_year"],
        datetime.fromisoformat(row["created_at"]),
        datetime.fromisoformat(row["expires_at"]),
        _moment(row["revoked_at"]),
        _moment(row["last_used_at"]),
    )


def _upload(row: sqlite3.Row) -> Upload:
    problems = tuple(Problem(**item) for item in json.loads(row["problems"]))
    return Upload(
        int(row["upload_id"]),
        int(row["link_id"]),
        str(row["partner_id"]),
        int(row["reporting_year"]),
        datetime.fromisoformat(row["received_at"]),
        str(row["sent_name"]),
        str(row["stored_name"]),
        str(row["sha256"]),
        int(row["size_bytes"]),
        str(row["verdict"]),
        problems,
        Path(row["feedback_path"]) if row["feedback_path"] else None,
        Path(row["inbox_path"]) if row["inbox_path"] else None,
    )


class PortalRecords:
    """The portal's SQLite file; created (with its folder) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.row_factory = sqlite3.Row
            with conn:  # one transaction: committed on success, rolled back on error
                yield conn

    # Links ------------------------------------------------------------------------------
    def create_link(
        self,
        role: str,
        partner_id: str | None,
        reporting_year: int | None,
        expires_at: datetime,
        now: datetime,
    ) -> tuple[str, Link]:
        """A new link; returns the token (shown once, never stored) and the link."""
        token = new_token()
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT INTO links (token_sha256, role, partner_id, reporting_year, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    token_hash(token),
                    role,
                    partner_id,
                    reporting_year,
                    _text(now),
                    _text(expires_at),
                ),
            )
            link_id = int(cursor.lastrowid or 0)
        link = Link(link_id, role, partner_id, reporting_year, now, expires_at, None, None)
        return token, link

    def link_for_token(self, token: str, now: datetime) -> Link | None:
        """The valid link of a token; None for unknown, revoked and expired alike."""
        digest = token_hash(token)
        with self._connection() as conn:
            row = conn.execute("SELECT * FROM links WHERE token_sha256 = ?", (digest,)).fetchone()
            if row is None or not same_secret(digest, str(row["token_sha256"])):
                return None
            link = _link(row)
            if not link.valid_at(now):
                return None
            conn.execute(
                "UPDATE links SET last_used_at = ? WHERE link_id = ?", (_text(now), link.link_id)
            )
        return link

    def revoke(self, role: str, partner_id: str | None, year: int | None, now: datetime) -> int:
        """End every unrevoked link of a partner-year (or the coordinator's); how many ended."""
        with self._connection() as conn:
            cursor = conn.execute(
                "UPDATE links SET revoked_at = ? WHERE revoked_at IS NULL AND role = ? "
                "AND partner_id IS ? AND reporting_year IS ?",
                (_text(now), role, partner_id, year),
            )
            return int(cursor.rowcount)

    def links(self, year: int | None = None) -> list[Link]:
        query = "SELECT * FROM links"
        parameters: tuple[Any, ...] = ()
        if year is not None:
            query += " WHERE reporting_year = ? OR role = 'coordinator'"
            parameters = (year,)
        with self._connection() as conn:
            return [_link(row) for row in conn.execute(query + " ORDER BY link_id", parameters)]

    # Sessions ---------------------------------------------------------------------------
    def create_session(self, link: Link, now: datetime, hours: int) -> tuple[str, str]:
        """A session for an opened link: (session token for the cookie, CSRF token)."""
        session_token, csrf = new_token(), new_token()
        with self._connection() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (_text(now),))
            conn.execute(
                "INSERT INTO sessions (session_sha256, link_id, csrf_token, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    token_hash(session_token),
                    link.link_id,
                    csrf,
                    _text(now),
                    _text(now + timedelta(hours=hours)),
                ),
            )
        return session_token, csrf

    def session(self, session_token: str, now: datetime) -> Session | None:
        """The live session of a cookie value; None once expired or its link was revoked."""
        digest = token_hash(session_token)
        with self._connection() as conn:
            row = conn.execute(
                "SELECT s.session_sha256, s.csrf_token, s.expires_at AS session_expires, l.* "
                "FROM sessions s JOIN links l ON l.link_id = s.link_id WHERE s.session_sha256 = ?",
                (digest,),
            ).fetchone()
        if row is None or not same_secret(digest, str(row["session_sha256"])):
            return None
        link, expires = _link(row), datetime.fromisoformat(row["session_expires"])
        if link.revoked_at is not None or now >= expires:
            return None
        return Session(link, str(row["csrf_token"]), expires)

    # Uploads ----------------------------------------------------------------------------
    def record_upload(
        self,
        link: Link,
        received_at: datetime,
        sent_name: str,
        stored_name: str,
        sha256: str,
        size_bytes: int,
        problems: Sequence[Problem],
        feedback_path: Path | None,
        inbox_path: Path | None,
    ) -> int:
        assert link.partner_id is not None and link.reporting_year is not None
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT INTO uploads (link_id, partner_id, reporting_year, received_at, sent_name, "
                "stored_name, sha256, size_bytes, verdict, problems, feedback_path, inbox_path) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    link.link_id,
                    link.partner_id,
                    link.reporting_year,
                    _text(received_at),
                    sent_name,
                    stored_name,
                    sha256,
                    size_bytes,
                    "rejected" if problems else "accepted",
                    json.dumps([problem.__dict__ for problem in problems], ensure_ascii=False),
                    str(feedback_path) if feedback_path else None,
                    str(inbox_path) if inbox_path else None,
                ),
            )
            return int(cursor.lastrowid or 0)

    def upload(self, upload_id: int) -> Upload | None:
        with self._connection() as conn:
            row = conn.execute("SELECT * FROM uploads WHERE upload_id = ?", (upload_id,)).fetchone()
        return None if row is None else _upload(row)

    def uploads(self, partner_id: str | None = None, year: int | None = None) -> list[Upload]:
        """Uploads, newest first; of one partner and/or year when given."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM uploads WHERE (? IS NULL OR partner_id = ?) "
                "AND (? IS NULL OR reporting_year = ?) ORDER BY upload_id DESC",
                (partner_id, partner_id, year, year),
            ).fetchall()
        return [_upload(row) for row in rows]

    # Audit ------------------------------------------------------------------------------
    def audit(
        self,
        event: str,
        now: datetime,
        *,
        link: Link | None = None,
        client: str | None = None,
        detail: str = "",
    ) -> None:
        """One audit line: what happened, to whose link, from where. Never a token."""
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO audit (at, event, role, partner_id, reporting_year, link_id, client, "
                "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _text(now),
                    event,
                    link.role if link else None,
                    link.partner_id if link else None,
                    link.reporting_year if link else None,
                    link.link_id if link else None,
                    client,
                    detail,
                ),
            )

    def audit_lines(self) -> list[dict[str, Any]]:
        with self._connection() as conn:
            return [dict(row) for row in conn.execute("SELECT * FROM audit ORDER BY audit_id")]
