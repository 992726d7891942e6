"""The login form's CSRF token: double-submit (cookie and field must match), and signed by
the portal with a key kept in its file, so a pair an attacker makes up (`x`/`x`) is refused."""

from __future__ import annotations

import hashlib
import hmac
import secrets

FORM_SECONDS = 3600  # a login page older than this has to be opened again


def _signature(key: bytes, nonce: str, issued: int) -> str:
    return hmac.new(key, f"{nonce}.{issued}".encode(), hashlib.sha256).hexdigest()


def issue(key: bytes, now: float) -> str:
    nonce, issued = secrets.token_urlsafe(16), int(now)
    return f"{nonce}.{issued}.{_signature(key, nonce, issued)}"


def valid(key: bytes, token: str, now: float) -> bool:
    """Whether the portal issued this token within the last FORM_SECONDS."""
    nonce, _, rest = token.partition(".")
    issued, _, signature = rest.partition(".")
    if not (nonce and issued.isascii() and issued.isdigit() and len(issued) < 12 and signature):
        return False
    fresh = 0 <= now - int(issued) <= FORM_SECONDS
    expected = _signature(key, nonce, int(issued))
    return fresh and hmac.compare_digest(signature.encode("utf-8", "replace"), expected.encode())
