"""The 重点支援企業一覧 in the portal: public, since the state publishes it.

`/ichiran` (no login): the version in force, its downloads, and a lookup by 法人番号 and date;
`/api/ichiran/<法人番号>?as_of=YYYY-MM-DD` the same as JSON; `/ichiran/bulk` a whole application
round at once, for reviewers and the secretariat. Every lookup and download is in the audit log
(an anonymous one under no account name, with the client's address). The plan pages for
prefectures and the secretariat are portal/plan_pages.py, included from here.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from pipeline.designations.lookup import LookupError_, lookup, lookup_file, today_in_japan
from pipeline.designations.publish import ICHIRAN
from pipeline.settings import Paths
from portal.downloads import cp932_csv

FILES = {
    "ichiran.csv": ("ichiran.csv", "text/csv; charset=utf-8", "csv"),
    "ichiran-cp932.csv": ("ichiran.csv", "text/csv; charset=shift_jis", "_SJIS.csv"),
    "ichiran.xlsx": (
        "ichiran.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ichiran.parquet": ("ichiran.parquet", "application/vnd.apache.parquet", "parquet"),
    "manifest.json": ("manifest.json", "application/json", "manifest.json"),
}


@dataclass(frozen=True)
class Portal:
    """What the routes need from the app: its helpers, so that access and logging stay one rule."""

    paths: Paths
    render: Callable
    session_of: Callable
    page_session: Callable
    record: Callable
    check_csrf: Callable


def versions(paths: Paths) -> list[dict]:
    """Every published version's manifest, newest first."""
    folder = paths.marts_dir / ICHIRAN
    found = (
        sorted(folder.glob("v[0-9][0-9][0-9][0-9]/manifest.json"), reverse=True) if folder.is_dir() else []
    )
    return [json.loads(p.read_text(encoding="utf-8")) for p in found]


def _as_of(text: str | None) -> dt.date:
    if not text:
        return today_in_japan()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, "日付は YYYY-MM-DD で指定してください") from None


def answer_for(portal: Portal, request: Request, number: str, as_of: str | None) -> tuple[int, dict]:
    """(status, answer) of one public lookup, logged."""
    session = portal.session_of(request)
    who = session.account.username if session else None
    number = number.strip()[:64]
    date = _as_of(as_of)
    try:
        answer = lookup(portal.paths, number, date)
    except ValueError:
        portal.record(request, who, "ichiran_lookup", f"{number}@{date}", "invalid")
        return 422, {
            "corporate_number": number,
            "error": "法人番号は13桁の数字で、先頭の検査用数字が正しくなければなりません。",
        }
    except LookupError_:
        portal.record(request, who, "ichiran_lookup", f"{number}@{date}", "not_published")
        return 404, {"corporate_number": number, "error": "重点支援企業一覧はまだ公表されていません。"}
    result = "listed" if answer["listed"] else "not_listed"
    portal.record(request, who, "ichiran_lookup", f"{answer['corporate_number']}@{date}", result)
    return 200, answer


def router(portal: Portal) -> APIRouter:
    r = APIRouter()

    @r.get("/ichiran", response_class=HTMLResponse)
    def public_page(request: Request, corporate_number: str | None = None, as_of: str | None = None):
        status, answer = (200, None)
        if corporate_number:
            status, answer = answer_for(portal, request, corporate_number, as_of)
        return portal.render(
            request, "ichiran.html", portal.session_of(request), status, versions=versions(portal.paths),
            answer=answer, as_of=as_of or today_in_japan().isoformat(),
        )  # fmt: skip

    @r.get("/api/ichiran/{corporate_number}")
    def public_api(request: Request, corporate_number: str, as_of: str | None = None):
        status, answer = answer_for(portal, request, corporate_number, as_of)
        return JSONResponse(json.loads(json.dumps(answer, default=str)), status_code=status)

    @r.get("/ichiran/v{version}/{filename}")
    def public_file(request: Request, version: int, filename: str):
        folder = portal.paths.marts_dir / ICHIRAN / f"v{version:04d}"
        if filename not in FILES or not (folder / "manifest.json").is_file() or not 0 < version < 10_000:
            raise HTTPException(404, "そのファイルはありません")
        source, media_type, suffix = FILES[filename]
        session = portal.session_of(request)
        portal.record(
            request, session.account.username if session else None, "download", request.url.path, "ok"
        )
        name = f"重点支援企業一覧_第{version}版" + (
            suffix if suffix.startswith(("_", "manifest")) else f".{suffix}"
        )
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"}
        if filename == "ichiran-cp932.csv":
            return Response(cp932_csv(folder / source), media_type=media_type, headers=headers)
        return FileResponse(folder / source, media_type=media_type, headers=headers)

    @r.get("/ichiran/bulk", response_class=HTMLResponse)
    def bulk_page(request: Request):
        session = _reviewer(portal, request)
        return portal.render(
            request, "ichiran_bulk.html", session, as_of=today_in_japan().isoformat(), error=None
        )

    @r.post("/ichiran/bulk")
    def bulk_lookup(
        request: Request,
        numbers: Annotated[UploadFile, File()],
        csrf_token: Annotated[str, Form()],
        as_of: Annotated[str, Form()] = "",
    ):
        session = _reviewer(portal, request)
        portal.check_csrf(session, csrf_token)
        date = _as_of(as_of)
        with tempfile.TemporaryDirectory() as work:
            source, out = Path(work) / "numbers.csv", Path(work) / "result.csv"
            source.write_bytes(numbers.file.read())
            try:
                counts = lookup_file(portal.paths, source, out, date)
            except LookupError_ as e:
                portal.record(request, session.account.username, "ichiran_bulk", str(date), "invalid")
                return portal.render(
                    request, "ichiran_bulk.html", session, 422, as_of=date.isoformat(),
                    error=str(e).replace(str(source.parent) + "/", ""),
                )  # fmt: skip
            body = out.read_bytes()
        summary = (
            f"{date} listed={counts['listed']} not_listed={counts['not_listed']} invalid={counts['invalid']}"
        )
        portal.record(request, session.account.username, "ichiran_bulk", summary, "ok")
        name = f"一覧照会結果_{date}.csv"
        return Response(
            body, media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
        )  # fmt: skip

    from portal.plan_pages import router as plan_router

    r.routes.extend(plan_router(portal).routes)
    return r


def _reviewer(portal: Portal, request: Request):
    session = portal.page_session(request)
    if not (session.account.is_reviewer or session.account.is_secretariat):
        raise HTTPException(403, "一括照会は審査担当と事務局だけが使えます")
    return session


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
