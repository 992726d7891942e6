"""Account names: case-folded ASCII, and the only user-supplied text the audit log keeps
as it is. Anything else is logged as a fixed marker with its length."""

from __future__ import annotations

import re

USERNAME = re.compile(r"[a-z0-9_.@-]{3,64}", re.ASCII | re.IGNORECASE)
MARKER = re.compile(r"<invalid-name len=\d+>")


def folded(name: str) -> str | None:
    """The account name as stored (`Tokyo` and `tokyo` are one name), or None if it is not one."""
    return name.casefold() if USERNAME.fullmatch(name) else None


def as_logged(name: str | None) -> str | None:
    """What the audit log and the login counters keep for a name someone typed."""
    if name is None or MARKER.fullmatch(name):
        return name
    return folded(name) or f"<invalid-name len={len(name)}>"


def bounded(text: str | None, limit: int) -> str | None:
    """Text as the audit log keeps it: control characters escaped, at most `limit` characters."""
    if text is None:
        return None
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else f"{text[: limit - 24]}…<cut, {len(text)} chars>"
