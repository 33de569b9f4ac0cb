"""Minimal HS256 JSON Web Tokens: enough to make and check the bearer tokens of the live tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make(subject: str, expires_in: float, secret: bytes) -> str:
    """A signed token for `subject` that expires `expires_in` seconds from now (negative: past)."""
    now = int(time.time())
    header = _encode(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": subject, "iat": now, "exp": now + int(expires_in)}
    payload = _encode(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_encode(signature)}"


class Invalid(Exception):
    """Why a token is refused (the text goes into the 401 response body)."""


def verify(token: str, secret: bytes, now: float | None = None) -> str:
    """The token's subject, or Invalid: bad shape, bad signature, or expired."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Invalid("not a JWT")
    header, payload, signature = parts
    expected = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    try:
        given = _decode(signature)
        claims = json.loads(_decode(payload))
    except (ValueError, UnicodeDecodeError):
        raise Invalid("malformed JWT") from None
    if not hmac.compare_digest(given, expected):
        raise Invalid("bad JWT signature")
    subject = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(subject, str):
        raise Invalid("JWT without a subject")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or expiry <= (time.time() if now is None else now):
        raise Invalid("JWT expired")
    return subject
