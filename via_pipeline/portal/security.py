"""What every answer of the portal gets: security headers, a streamed body cap, rate limits.

Pure ASGI middleware (no buffering of answers). The body cap counts bytes as they arrive and
answers 413 as soon as the limit is passed, with or without a Content-Length.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG = logging.getLogger("via_pipeline.portal")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# Room for the multipart envelope around the file (boundaries, field headers, the CSRF token).
ENVELOPE_BYTES = 64 * 1024


def redacted_path(path: str) -> str:
    """A request path fit for a log: a link's token never appears."""
    return "/l/…" if path.startswith("/l/") else path


class RateLimiter:
    """At most `limit` events per key in the last minute (a sliding window), thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def allow(self, key: str, limit: int) -> bool:
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - 60:
                events.popleft()
            if len(events) >= limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget quiet keys, so memory stays bounded
                for quiet in [k for k, v in self._events.items() if not v]:
                    del self._events[quiet]
            return True


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class PortalGuard:
    """Headers on every answer, 429 beyond `requests_per_minute` per client, 413 beyond `max_body`."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int,
        requests_per_minute: int,
        limiter: RateLimiter,
        too_large_text: str,
        too_many_text: str,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.requests_per_minute = requests_per_minute
        self.limiter = limiter
        self.too_large_text = too_large_text
        self.too_many_text = too_many_text

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(HEADERS)
        if scope.get("scheme") == "https":
            headers.append(HSTS)
        status_seen: list[int] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(item for item in headers if item[0] not in present),
                ]
            await send(message)

        client = (scope.get("client") or ("?", 0))[0]
        path = redacted_path(str(scope.get("path", "")))
        try:
            if not self.limiter.allow(f"all:{client}", self.requests_per_minute):
                await _plain(send_with_headers, 429, self.too_many_text, [(b"retry-after", b"60")])
                return
            declared = dict(scope.get("headers") or []).get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body:
                await _plain(send_with_headers, 413, self.too_large_text, [])
                return
            body, too_large = await self._read_capped(receive)
            if too_large:
                await _plain(send_with_headers, 413, self.too_large_text, [])
                return
            await self.app(scope, _replay(body, receive), send_with_headers)
        finally:
            LOG.info(
                "%s %s %s from %s",
                scope.get("method"),
                path,
                status_seen[0] if status_seen else "-",
                client,
            )

    async def _read_capped(self, receive: Receive) -> tuple[list[Message], bool]:
        """The request's body messages, read to the end unless it passes the cap."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages, False
            size += len(message.get("body", b""))
            if size > self.max_body:
                return [], True
            if not message.get("more_body", False):
                return messages, False


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = deque(messages)

    async def replayed() -> Message:
        return pending.popleft() if pending else await receive()

    return replayed
