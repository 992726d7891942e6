"""The portal's web application: FastAPI with server-rendered Japanese pages.

Access is decided here and nowhere else: a prefecture account reaches its own prefecture's
files, the secretariat reaches everything published and the audit log, a reviewer reaches
only the lookup. Every login, download and lookup is written to the audit log.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from pipeline.corporate_number import is_valid
from portal.accounts import Session, Store
from portal.downloads import candidates_xlsx, cp932_csv
from portal.publications import PREFECTURE_NAMES, Marts

SESSION_COOKIE = "portal_session"
LOGIN_CSRF_COOKIE = "portal_login_csrf"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class PortalConfig:
    """Where the portal reads the publications and keeps its own file."""

    marts_dir: Path
    database: Path
    secure_cookies: bool = True

    @classmethod
    def from_env(cls) -> PortalConfig:
        return cls(
            marts_dir=Path(os.environ.get("DATA_MARTS_DIR", "data/marts")),
            database=Path(os.environ.get("PORTAL_DB", "data/portal.sqlite3")),
        )


class NotLoggedIn(Exception):
    """Raised by pages: the browser is sent to the login page."""


def create_app(config: PortalConfig | None = None) -> FastAPI:
    config = config or PortalConfig.from_env()
    store = Store(config.database)
    marts = Marts(config.marts_dir)
    app = FastAPI(title="重点支援企業候補ポータル", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store, app.state.marts = store, marts

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, exc: NotLoggedIn):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def session_of(request: Request) -> Session | None:
        return store.session(request.cookies.get(SESSION_COOKIE))

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

    def render(request: Request, template: str, session: Session | None, status: int = 200, **values):
        values |= {"session": session, "prefectures": PREFECTURE_NAMES}
        return TEMPLATES.TemplateResponse(request, template, values, status_code=status)

    def check_csrf(session: Session, token: str) -> None:
        if not hmac.compare_digest(session.csrf_token, token):
            raise HTTPException(403, "フォームの有効期限が切れました。ページを開き直してください。")

    def may_read_prefecture(session: Session, code: str) -> bool:
        return session.account.is_secretariat or session.account.prefecture == code

    def published_year(year: int) -> int:
        if marts.folder(year) is None:
            raise HTTPException(404, "その年度は公表されていません")
        return year

    # -- logging in and out ---------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        token = secrets.token_urlsafe(32)
        response = render(request, "login.html", None, csrf_token=token, next=_safe_next(next), error=None)
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, secure=config.secure_cookies, samesite="strict"
        )
        return response

    @app.post("/login")
    def login(
        request: Request,
        username: str = Form(...),
        password: str = Form(...),
        csrf_token: str = Form(...),
        next: str = Form("/"),
    ):
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, csrf_token):
            raise HTTPException(403, "フォームの有効期限が切れました。ページを開き直してください。")
        where = client(request)
        if store.too_many_failures(username, where):
            store.audit(username, "login", "", "rate_limited", where)
            return render(
                request, "login.html", None, 429, csrf_token=csrf_token, next=_safe_next(next),
                error="ログインの失敗が続いたため、15分間ログインできません。",
            )  # fmt: skip
        account = store.authenticate(username, password, where)
        if account is None:
            store.audit(username, "login", "", "failed", where)
            return render(
                request, "login.html", None, 401, csrf_token=csrf_token, next=_safe_next(next),
                error="ユーザー名またはパスワードが正しくありません。",
            )  # fmt: skip
        token, _ = store.open_session(account)
        store.audit(account.username, "login", account.role, "ok", where)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, secure=config.secure_cookies, samesite="strict"
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout")
    def logout(request: Request, csrf_token: str = Form(...)):
        session = page_session(request)
        check_csrf(session, csrf_token)
        store.close_session(request.cookies.get(SESSION_COOKIE))
        store.audit(session.account.username, "logout", "", "ok", client(request))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/")
    def home(request: Request):
        account = page_session(request).account
        if account.is_secretariat:
            return RedirectResponse("/secretariat", status_code=303)
        if account.is_reviewer:
            return RedirectResponse("/lookup", status_code=303)
        return RedirectResponse(f"/prefectures/{account.prefecture}", status_code=303)

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
        target = f"prefectures/{code}/{year}/{filename}"
        if code not in PREFECTURE_NAMES or not may_read_prefecture(session, code):
            store.audit(session.account.username, "download", target, "forbidden", client(request))
            raise HTTPException(403, "この都道府県のファイルはダウンロードできません")
        published_year(year)
        response = _prefecture_file(marts, code, year, filename)
        store.audit(session.account.username, "download", target, "ok", client(request))
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
        target = f"national/{year}/{filename}"
        if not session.account.is_secretariat:
            store.audit(session.account.username, "download", target, "forbidden", client(request))
            raise HTTPException(403, "全国リストは事務局だけがダウンロードできます")
        published_year(year)
        response = _national_file(marts, year, filename)
        store.audit(session.account.username, "download", target, "ok", client(request))
        return response

    @app.get("/secretariat/audit", response_class=HTMLResponse)
    def audit_page(request: Request):
        session = page_session(request)
        if not session.account.is_secretariat:
            raise HTTPException(403, "監査ログは事務局だけが閲覧できます")
        return render(request, "audit.html", session, entries=store.audit_entries())

    # -- the reviewer lookup ------------------------------------------------------------

    def lookup(request: Request, session: Session, number: str) -> tuple[int, dict]:
        if not (session.account.is_reviewer or session.account.is_secretariat):
            store.audit(session.account.username, "lookup", number, "forbidden", client(request))
            raise HTTPException(403, "照会は審査担当と事務局だけが使えます")
        number = number.strip()
        if not is_valid(number):
            store.audit(session.account.username, "lookup", number, "invalid", client(request))
            return 422, {
                "corporate_number": number,
                "error": "法人番号は13桁の数字で、先頭の検査用数字が正しくなければなりません。",
            }
        listings = marts.listings(number)
        result = "listed" if listings else "not_listed"
        store.audit(session.account.username, "lookup", number, result, client(request))
        return 200, {"corporate_number": number, "on_list": bool(listings), "listings": listings}

    @app.get("/lookup", response_class=HTMLResponse)
    def lookup_page(request: Request, corporate_number: str | None = None):
        session = page_session(request)
        answer, status = None, 200
        if corporate_number is not None:
            status, answer = lookup(request, session, corporate_number)
        elif not (session.account.is_reviewer or session.account.is_secretariat):
            raise HTTPException(403, "照会は審査担当と事務局だけが使えます")
        return render(request, "lookup.html", session, status, answer=answer, years=marts.years())

    @app.get("/api/lookup/{corporate_number}")
    def lookup_api(request: Request, corporate_number: str):
        status, answer = lookup(request, api_session(request), corporate_number)
        return JSONResponse(answer, status_code=status)

    return app


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
