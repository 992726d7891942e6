"""What every response goes through: security headers, a bounded request body, and the audit
log's record of every denied or failed request (the routes record what they serve)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.accounts import Store

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
MAX_BODY_BYTES = 16_384  # the largest form is a few hundred bytes
# Uploads (the bulk lookup of an application round, a plan's firms and evidence files) may be larger.
UPLOAD_PATHS, MAX_UPLOAD_BYTES = ("/ichiran/bulk", "/plans/"), 16_000_000
RESULTS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "error",
}


class SecurityHeaders:
    """Adds the headers to every response that passes through the app's middleware; the 500
    page, made outside it by Starlette, adds them itself (app.py)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.lower().encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.lower().encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class BodyLimit:
    """A request with a body says how long it is, and is short: a 900 kB user name never
    reaches the form parser, let alone the log."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            length = dict(scope["headers"]).get(b"content-length", b"")
            if not length.isdigit():
                await PlainTextResponse("Content-Length が必要です", 411)(scope, receive, send)
                return
            limit = MAX_UPLOAD_BYTES if scope["path"].startswith(UPLOAD_PATHS) else MAX_BODY_BYTES
            if int(length) > limit:
                await PlainTextResponse("リクエストが大きすぎます", 413)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def action_of(path: str) -> str:
    """The audit log's name for what a request tried to do."""
    if path in ("/login", "/logout"):
        return path[1:]
    if path.startswith(("/prefectures/", "/national/")) and path.count("/") >= 4:
        return "download"
    if path.startswith(("/api/lookup", "/lookup")):
        return "lookup"
    if path.startswith("/account/"):
        return "password_change"
    return "audit_view" if path.startswith("/secretariat/audit") else "page"


class DenialAudit:
    """Every response of 400 or more that a route did not record itself (request.state.audited)
    is recorded as a denial: 401s, 403 pages, 404 and 422 probes, 429s, 500s, a wrong Host."""

    def __init__(self, app: ASGIApp, store: Store, session_cookie: str):
        self.app, self.store, self.session_cookie = app, store, session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            await self._record(scope, 500)
            raise
        if status >= 400:
            await self._record(scope, status)

    async def _record(self, scope: Scope, status: int) -> None:
        state = scope.get("state", {})
        if state.get("audited"):
            return
        username = state.get("username")
        if username is None:
            username = await run_in_threadpool(self._username, scope)
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        client = scope["client"][0] if scope.get("client") else "unknown"
        await run_in_threadpool(
            self.store.audit_log.record_denial,
            username,
            action_of(path),
            path + (f"?{query}" if query else ""),
            RESULTS.get(status, str(status)),
            client,
        )

    def _username(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _, token = part.strip().partition("=")
                    if key == self.session_cookie:
                        session = self.store.session(token, touch=False)
                        return session.account.username if session else None
        return None
