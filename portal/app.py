"""The portal's web application: FastAPI with server-rendered Japanese pages.

Access is decided here and nowhere else: a prefecture account reaches its own prefecture's
files, the secretariat reaches everything published and the audit log, a reviewer reaches
only the lookup. What is served is written to the audit log here; what is refused or fails,
by portal/middleware.py.
"""

from __future__ import annotations

import hmac
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from pipeline.reference.corporate_number import is_valid
from portal import login_form
from portal.accounts import DEVICE_SECONDS, Session, Store
from portal.audit import DENIALS_PER_MINUTE, AuditFilter
from portal.database import Clock
from portal.downloads import candidates_xlsx, cp932_csv
from portal.middleware import SECURITY_HEADERS, BodyLimit, DenialAudit, SecurityHeaders
from portal.names import as_logged, bounded
from portal.passwords import password_problem
from portal.publications import PREFECTURE_NAMES, Marts
from portal.throttle import LOOKUPS_PER_DAY, LOOKUPS_PER_HOUR

SESSION_COOKIE = "portal_session"
LOGIN_CSRF_COOKIE = "portal_login_csrf"
DEVICE_COOKIE = "portal_device"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
EXPIRED_FORM = "フォームの有効期限が切れました。ページを開き直してください。"


def _listed(variable: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(variable, "").split(",") if item.strip())


@dataclass(frozen=True)
class PortalConfig:
    """Where the portal reads the publications and keeps its own file, and whom it trusts:
    the proxies whose X-Forwarded-For it believes (none by default), and the Host names it
    answers to (the loopback names by default)."""

    marts_dir: Path
    database: Path
    secure_cookies: bool = True
    trusted_proxies: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS

    def pipeline_paths(self):
        """The pipeline's paths, with the marts folder this portal serves (the 一覧 needs both)."""
        from dataclasses import replace

        from pipeline.settings import Paths

        return replace(Paths.from_env(), marts_dir=self.marts_dir.resolve())

    @classmethod
    def from_env(cls) -> PortalConfig:
        return cls(
            marts_dir=Path(os.environ.get("DATA_MARTS_DIR", "data/marts")),
            database=Path(os.environ.get("PORTAL_DB", "data/portal.sqlite3")),
            trusted_proxies=_listed("PORTAL_TRUSTED_PROXIES"),
            allowed_hosts=_listed("PORTAL_ALLOWED_HOSTS") or LOCAL_HOSTS,
        )


class NotLoggedIn(Exception):
    """Raised by pages: the browser is sent to the login page."""


def create_app(config: PortalConfig | None = None, clock: Clock = time.time) -> FastAPI:
    config = config or PortalConfig.from_env()
    store = Store(config.database, clock)
    marts = Marts(config.marts_dir)
    # No trailing-slash redirect: Starlette builds its Location from the Host header.
    app = FastAPI(
        title="重点支援企業候補ポータル",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.store, app.state.marts = store, marts
    # The last added runs first: headers on everything, then the client's real address, the
    # denial log, the body limit, and the Host check.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts), www_redirect=False)
    app.add_middleware(BodyLimit)
    app.add_middleware(DenialAudit, store=store, session_cookie=SESSION_COOKIE)
    if config.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, exc: NotLoggedIn):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Starlette sends this page from outside the middleware, so it brings its own headers.
        return HTMLResponse(
            "<!doctype html><html lang=ja><meta charset=utf-8><title>エラー</title>"
            "<p>サーバーでエラーが起きました。時間をおいてもう一度お試しください。</p></html>",
            status_code=500,
            headers=SECURITY_HEADERS,
        )

    def client(request: Request) -> str:
        return bounded(request.client.host if request.client else "unknown", 64)

    def session_of(request: Request) -> Session | None:
        session = store.session(request.cookies.get(SESSION_COOKIE))
        if session:
            request.state.username = session.account.username
        return session

    def page_session(request: Request) -> Session:
        session = session_of(request)
        if session is None:
            raise NotLoggedIn()
        return session

    def api_session(request: Request) -> Session:
        session = session_of(request)
        if session is None:
            raise HTTPException(401, "ログインが必要です", headers={"WWW-Authenticate": "Cookie"})
        return session

    def record(request: Request, username: str | None, action: str, target: str, result: str) -> None:
        store.audit_log.record(username, action, target, result, client(request))
        request.state.audited = True

    def render(
        request: Request, template: str, session: Session | None, status: int = 200, headers=None, **values
    ):
        values |= {"session": session, "prefectures": PREFECTURE_NAMES}
        return TEMPLATES.TemplateResponse(request, template, values, status_code=status, headers=headers)

    def check_csrf(session: Session, token: str) -> None:
        if not _same(session.csrf_token, token):
            raise HTTPException(403, EXPIRED_FORM)

    def may_read_prefecture(session: Session, code: str) -> bool:
        return session.account.is_secretariat or session.account.prefecture == code

    def published_year(year: int) -> int:
        if marts.folder(year) is None:
            raise HTTPException(404, "その年度は公表されていません")
        return year

    def cookie(response: Response, name: str, value: str, **options) -> None:
        response.set_cookie(
            name, value, httponly=True, secure=config.secure_cookies, samesite="strict", **options
        )

    # -- logging in and out ---------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        token = login_form.issue(store.login_key, clock())
        response = render(request, "login.html", None, csrf_token=token, next=_safe_next(next), error=None)
        cookie(response, LOGIN_CSRF_COOKIE, token)
        return response

    @app.post("/login")
    def login(
        request: Request,
        username: str = Form(...),
        password: str = Form(...),
        csrf_token: str = Form(...),
        next: str = Form("/"),
    ):
        request.state.username = as_logged(username)
        pair = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        signed = login_form.valid(store.login_key, csrf_token, clock())
        if not (pair and _same(pair, csrf_token) and signed):
            raise HTTPException(403, EXPIRED_FORM)
        attempt = store.log_in(username, password, client(request), request.cookies.get(DEVICE_COOKIE))
        again = {"csrf_token": csrf_token, "next": _safe_next(next)}
        if attempt.wait:
            minutes = -(-int(attempt.wait) // 60)
            return render(
                request, "login.html", None, 429, {"Retry-After": str(int(attempt.wait))}, **again,
                error=f"ログインの失敗が続いたため、この端末からは約{minutes}分間ログインできません。",
            )  # fmt: skip
        if attempt.account is None:
            record(request, username, "login", "", "failed")
            return render(
                request,
                "login.html",
                None,
                401,
                **again,
                error="ユーザー名またはパスワードが正しくありません。",
            )
        account = attempt.account
        token, _ = store.open_session(account)
        record(request, account.username, "login", account.role, "ok")
        response = RedirectResponse(_safe_next(next), status_code=303)
        cookie(response, SESSION_COOKIE, token)
        if attempt.new_device:
            cookie(response, DEVICE_COOKIE, attempt.new_device, max_age=DEVICE_SECONDS, path="/")
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout")
    def logout(request: Request, csrf_token: str = Form(...)):
        session = page_session(request)
        check_csrf(session, csrf_token)
        store.close_session(request.cookies.get(SESSION_COOKIE))
        record(request, session.account.username, "logout", "", "ok")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/")
    def home(request: Request):
        account = page_session(request).account
        if account.is_secretariat:
            return RedirectResponse("/secretariat", status_code=303)
        if account.is_reviewer:  # the 一覧 by date, not the candidate lists
            return RedirectResponse("/ichiran", status_code=303)
        return RedirectResponse(f"/prefectures/{account.prefecture}", status_code=303)

    # -- one's own password ---------------------------------------------------------------

    @app.get("/account/password", response_class=HTMLResponse)
    def password_page(request: Request):
        return render(request, "password.html", page_session(request), error=None, done=False)

    @app.post("/account/password", response_class=HTMLResponse)
    def change_password(
        request: Request,
        current_password: str = Form(...),
        new_password: str = Form(...),
        new_password_again: str = Form(...),
        csrf_token: str = Form(...),
    ):
        session = page_session(request)
        check_csrf(session, csrf_token)
        name, where = session.account.username, client(request)
        device = store.device(name, request.cookies.get(DEVICE_COOKIE))

        def refused(status: int, error: str, result: str | None = None):
            if result:
                record(request, name, "password_change", "", result)
            return render(request, "password.html", session, status, error=error, done=False)

        # The current password is guessed through the same throttle as a login.
        if store.logins.wait(name, where, device):
            return refused(429, "失敗が続いたため、しばらく変更できません。")
        if not store.authenticate(name, current_password):
            store.logins.failed(name, where, device)
            return refused(401, "現在のパスワードが正しくありません。", "failed")
        if new_password != new_password_again:
            return refused(400, "新しいパスワードが一致しません。", "mismatch")
        problem = password_problem(new_password, name)
        if problem:
            return refused(400, problem.japanese, "weak")
        # Every session ends, this one too (a copy of its cookie may be what was stolen); the
        # person who changed it goes on in a new one.
        store.set_password(name, new_password)
        token, renewed = store.open_session(session.account)
        record(request, name, "password_change", "every session closed", "ok")
        response = render(request, "password.html", renewed, error=None, done=True)
        cookie(response, SESSION_COOKIE, token)
        return response

    # -- a prefecture's page and files ------------------------------------------------

    @app.get("/prefectures/{code}", response_class=HTMLResponse)
    def prefecture_page(request: Request, code: str):
        session = page_session(request)
        if code not in PREFECTURE_NAMES or not may_read_prefecture(session, code):
            raise HTTPException(403, "この都道府県のページは閲覧できません")
        years = [(year, marts.counts(year)[code]) for year in marts.years()]
        return render(
            request, "prefecture.html", session, code=code, name=PREFECTURE_NAMES[code], years=years
        )

    @app.get("/prefectures/{code}/{year}/{filename}")
    def prefecture_download(request: Request, code: str, year: int, filename: str):
        session = api_session(request)
        if code not in PREFECTURE_NAMES or not may_read_prefecture(session, code):
            raise HTTPException(403, "この都道府県のファイルはダウンロードできません")
        published_year(year)
        response = _prefecture_file(marts, code, year, filename)
        record(request, session.account.username, "download", request.url.path, "ok")
        return response

    # -- the secretariat ----------------------------------------------------------------

    @app.get("/secretariat", response_class=HTMLResponse)
    def secretariat_page(request: Request, year: int | None = None):
        session = page_session(request)
        if not session.account.is_secretariat:
            raise HTTPException(403, "事務局のページは閲覧できません")
        years = marts.years()
        year = year if year in years else (years[0] if years else None)
        counts = marts.counts(year) if year else {}
        manifest = marts.manifest(year) if year else {}
        return render(
            request, "secretariat.html", session, years=years, year=year, counts=counts,
            manifest=manifest, total=sum(counts.values()),
        )  # fmt: skip

    @app.get("/national/{year}/{filename}")
    def national_download(request: Request, year: int, filename: str):
        session = api_session(request)
        if not session.account.is_secretariat:
            raise HTTPException(403, "全国リストは事務局だけがダウンロードできます")
        published_year(year)
        response = _national_file(marts, year, filename)
        record(request, session.account.username, "download", request.url.path, "ok")
        return response

    @app.get("/secretariat/audit", response_class=HTMLResponse)
    def audit_page(
        request: Request,
        username: str = Query("", max_length=64),
        action: str = Query("", max_length=32),
        result: str = Query("", max_length=32),
        address: str = Query("", max_length=64),
        since: date | None = None,
        until: date | None = None,
        before: int | None = Query(None, ge=1, le=2**62),
    ):
        session = page_session(request)
        if not session.account.is_secretariat:
            raise HTTPException(403, "監査ログは事務局だけが閲覧できます")
        store.audit_log.flush()
        where = AuditFilter(username, action, result, address, since, until)
        page = store.audit_log.page(where, before)
        query = {k: v for k, v in request.query_params.items() if k != "before" and v}
        return render(
            request, "audit.html", session, page=page, where=where, query=query, per_minute=DENIALS_PER_MINUTE
        )

    # -- the reviewer lookup ------------------------------------------------------------

    def lookup(request: Request, session: Session, number: str) -> tuple[int, dict, dict]:
        """(status, answer, headers) of one lookup; refusals are logged by the middleware."""
        if not (session.account.is_reviewer or session.account.is_secretariat):
            raise HTTPException(403, "照会は審査担当と事務局だけが使えます")
        number = number.strip()[:64]
        # The secretariat has the whole list anyway; reviewers have a quota.
        wait = store.lookups.take(session.account.username) if session.account.is_reviewer else 0
        if wait:
            return 429, {
                "corporate_number": number,
                "error": f"照会の上限（1時間に{LOOKUPS_PER_HOUR}件、1日に{LOOKUPS_PER_DAY}件）に達しました。"
                f"約{-(-int(wait) // 60)}分後にもう一度お試しください。",
            }, {"Retry-After": str(int(wait))}  # fmt: skip
        if not is_valid(number):
            return 422, {
                "corporate_number": number,
                "error": "法人番号は13桁の数字で、先頭の検査用数字が正しくなければなりません。",
            }, {}  # fmt: skip
        listings = marts.listings(number)
        record(request, session.account.username, "lookup", number, "listed" if listings else "not_listed")
        return 200, {"corporate_number": number, "on_list": bool(listings), "listings": listings}, {}

    @app.get("/lookup", response_class=HTMLResponse)
    def lookup_page(request: Request, corporate_number: str | None = None):
        session = page_session(request)
        answer, status, headers = None, 200, {}
        if corporate_number is not None:
            status, answer, headers = lookup(request, session, corporate_number)
        elif not (session.account.is_reviewer or session.account.is_secretariat):
            raise HTTPException(403, "照会は審査担当と事務局だけが使えます")
        return render(request, "lookup.html", session, status, headers, answer=answer, years=marts.years())

    @app.get("/api/lookup/{corporate_number}")
    def lookup_api(request: Request, corporate_number: str):
        status, answer, headers = lookup(request, api_session(request), corporate_number)
        return JSONResponse(answer, status_code=status, headers=headers)

    from portal import ichiran  # the 重点支援企業一覧 and the plans: public page, bulk lookup, plan pages

    helpers = ichiran.Portal(config.pipeline_paths(), render, session_of, page_session, record, check_csrf)
    app.router.routes.extend(ichiran.router(helpers).routes)  # the routes themselves, not a sub-router
    return app


def _same(expected: str, given: str) -> bool:
    """A constant-time comparison that any text can be given to (str needs ASCII)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute or scheme-relative address."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


def _xlsx(frame, title: str, name: str) -> Response:
    return Response(
        candidates_xlsx(frame, title),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(name),
    )


def _prefecture_file(marts: Marts, code: str, year: int, filename: str) -> Response:
    base = f"{year}_{code}_{PREFECTURE_NAMES[code]}_重点支援企業候補"
    if filename == "candidates.csv":
        path = marts.prefecture_file(year, code, "csv")
        if path:
            return FileResponse(
                path, media_type="text/csv; charset=utf-8", headers=_attachment(f"{base}.csv")
            )
    elif filename == "candidates-cp932.csv":
        path = marts.prefecture_file(year, code, "csv")
        if path:
            return Response(
                cp932_csv(path),
                media_type="text/csv; charset=shift_jis",
                headers=_attachment(f"{base}_SJIS.csv"),
            )
    elif filename == "candidates.xlsx":
        frame = marts.candidates(year)
        if frame.height or frame.columns:
            rows = frame.filter(frame["prefecture_code"] == code)
            return _xlsx(rows, f"{year}年度 {PREFECTURE_NAMES[code]}", f"{base}.xlsx")
    elif filename == "chart.png":
        path = marts.prefecture_file(year, code, "png")
        if path:
            return FileResponse(path, media_type="image/png")
    raise HTTPException(404, "そのファイルはありません")


def _national_file(marts: Marts, year: int, filename: str) -> Response:
    base = f"{year}_全国_重点支援企業候補"
    kinds = {
        "national_candidates.csv": ("csv", "text/csv; charset=utf-8", f"{base}.csv"),
        "national_candidates.parquet": ("parquet", "application/vnd.apache.parquet", f"{base}.parquet"),
        "manifest.json": ("manifest", "application/json", f"{year}_manifest.json"),
    }
    if filename == "national_candidates.xlsx":
        return _xlsx(marts.candidates(year), f"{year}年度 全国", f"{base}.xlsx")
    if filename in kinds:
        kind, media_type, name = kinds[filename]
        path = marts.national_file(year, kind)
        if path:
            return FileResponse(path, media_type=media_type, headers=_attachment(name))
    raise HTTPException(404, "そのファイルはありません")
