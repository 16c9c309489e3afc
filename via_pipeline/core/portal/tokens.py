"""Secrets of the portal: link and session tokens, kept only as SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison (no early exit that tells how much of a guess was right)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def looks_like_token(text: str) -> bool:
    return bool(TOKEN_SHAPE.match(text))
