"""Plan pages: a prefecture (pref:NN) starts or revises its own plans — ticks firms on its own
candidate list, attaches evidence for a firm outside it (assess runs on submission and its report
is shown), sees each firm's verdict; the secretariat sees every submission with its verdicts,
approves or returns it with a reason, and publishes the 一覧. Every action is in the audit log.

A prefecture reaches only its own plans: another prefecture's plan is a 403, whether it is read,
revised or its assessment opened. Submitted files are kept beside the plans store
(`<store folder>/plan_files/<prefecture>/<UTC stamp>-<account>/`), since the store records
their paths and SHA-256.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import duckdb
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.designations.kpis import KpiError, compute, kpi_revision
from pipeline.designations.plans import PlanError, Submission, approve, return_plan, submit
from pipeline.designations.publish import PublishError, publish
from pipeline.designations.store import PlanStore, StoreError
from pipeline.designations.verification import VerificationError, reference_release
from pipeline.warehouse.connection import fetch_records, sql_text

EVIDENCE_SLOTS = 3
_PLAN_ID = re.compile(r"[0-9]{2}-[0-9]{4}")


def _candidates(portal, code: str) -> list[dict]:
    try:
        release = reference_release(portal.paths.marts_dir)
    except VerificationError:
        return []
    with duckdb.connect() as con:
        con.execute(sql_text("firm_identity"))
        return fetch_records(
            con, "designations/prefecture_candidates",
            candidates=str(release.folder / "national_candidates.parquet"), prefecture_code=code,
        )  # fmt: skip


def _files_folder(store: PlanStore, code: str, username: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = store.path.parent / "plan_files" / code / f"{stamp}-{username}"
    folder.mkdir(parents=True)
    return folder


def _write_firms_file(folder: Path, ticked: list[str], evidence: list[tuple[str, str]]) -> Path:
    """The firms file of a submission: each ticked candidate by its firm id (a 個人, which has no
    法人番号, by its vendor code), each evidence firm by the 法人番号 typed in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["corporate_number", "vendor_code", "basis", "evidence_file", "note"])
    for firm_id in ticked:
        code = firm_id.removeprefix("vendor:") if firm_id.startswith("vendor:") else ""
        writer.writerow(["" if code else firm_id, code, "candidate", "", ""])
    writer.writerows([number, "", "evidence", name, ""] for number, name in evidence)
    path = folder / "firms.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def router(portal) -> APIRouter:
    r = APIRouter()
    store = PlanStore()

    def prefecture_session(request: Request):
        session = portal.page_session(request)
        if session.account.prefecture is None:
            raise HTTPException(403, "計画の提出は都道府県のアカウントだけができます")
        return session

    def readable(session, plan_id: str, revision: int | None = None):
        """The revision if this account may see it (its own prefecture's, or the secretariat)."""
        if not _PLAN_ID.fullmatch(plan_id):
            raise HTTPException(404, "その計画はありません")
        try:
            found = store.revision(plan_id, revision)
        except StoreError:
            raise HTTPException(404, "その計画はありません") from None
        if not (session.account.is_secretariat or session.account.prefecture == found.prefecture_code):
            raise HTTPException(403, "この計画は閲覧できません")
        return found

    @r.get("/plans", response_class=HTMLResponse)
    def plans_page(request: Request):
        session = portal.page_session(request)
        if session.account.is_secretariat:
            return RedirectResponse("/secretariat/plans", status_code=303)
        if session.account.prefecture is None:
            raise HTTPException(403, "計画のページは都道府県と事務局だけが使えます")
        plans = store.plans(session.account.prefecture)
        return portal.render(request, "plans.html", session, plans=plans)

    def form(request, session, status=200, plan=None, problems=(), ticked=()):
        code = session.account.prefecture
        return portal.render(
            request, "plan_form.html", session, status, candidates=_candidates(portal, code), plan=plan,
            problems=list(problems), ticked=set(ticked), slots=range(1, EVIDENCE_SLOTS + 1),
        )  # fmt: skip

    @r.get("/plans/new", response_class=HTMLResponse)
    def new_plan(request: Request):
        return form(request, prefecture_session(request))

    @r.get("/plans/{plan_id}/revise", response_class=HTMLResponse)
    def revise_plan(request: Request, plan_id: str):
        session = prefecture_session(request)
        plan = readable(session, plan_id)
        ticked = [
            d.firm_id for d in store.designations(plan.plan_id, plan.revision) if d.basis == "candidate"
        ]
        return form(request, session, plan=plan, ticked=ticked)

    @r.post("/plans/submit", response_class=HTMLResponse)
    async def submit_plan(request: Request):
        session = prefecture_session(request)
        data = await request.form()
        portal.check_csrf(session, str(data.get("csrf_token", "")))
        code, user = session.account.prefecture, session.account.username
        plan_id = str(data.get("plan_id") or "") or None
        plan = readable(session, plan_id) if plan_id else None  # another prefecture's plan: 403
        ticked = [str(v) for v in data.getlist("candidate")]
        folder = _files_folder(store, code, user)
        evidence = []
        for slot in range(1, EVIDENCE_SLOTS + 1):
            number, upload = (
                str(data.get(f"evidence_number_{slot}", "")).strip(),
                data.get(f"evidence_file_{slot}"),
            )
            content = await upload.read() if upload is not None and hasattr(upload, "read") else b""
            if number or content:
                name = f"evidence_{slot}.csv"
                (folder / name).write_bytes(content)
                evidence.append((number, name))
        kpis = tuple(line.strip() for line in str(data.get("kpis", "")).splitlines() if line.strip())
        sub = Submission(
            prefecture=code, title=str(data.get("title", "")), focus=str(data.get("focus", "")),
            valid_from=str(data.get("valid_from", "")), valid_to=str(data.get("valid_to", "")),
            firms=_write_firms_file(folder, ticked, evidence),
            municipality=str(data.get("municipality") or "") or None, plan_id=plan_id, kpis=kpis,
        )  # fmt: skip
        try:
            new_id, revision, _ = await run_in_threadpool(submit, portal.paths, store, sub, user)
        except (PlanError, VerificationError) as e:
            portal.record(request, user, "plan_submit", plan_id or f"new plan of {code}", "invalid")
            return form(request, session, 422, plan=plan, problems=e.problems, ticked=ticked)
        portal.record(request, user, "plan_submit", f"{new_id} revision {revision}", "ok")
        return RedirectResponse(f"/plans/{new_id}?revision={revision}", status_code=303)

    @r.get("/plans/{plan_id}", response_class=HTMLResponse)
    def plan_page(request: Request, plan_id: str, revision: int | None = None):
        session = portal.page_session(request)
        plan = readable(session, plan_id, revision)
        firms = store.designations(plan.plan_id, plan.revision)
        try:
            kpis = compute(portal.paths, store, kpi_revision(store, plan.plan_id, plan.revision))
        except KpiError as e:
            kpis = {"error": str(e)}
        portal.record(
            request, session.account.username, "plan_view", f"{plan.plan_id} revision {plan.revision}", "ok"
        )
        return portal.render(request, "plan.html", session, plan=plan, firms=firms, kpis=kpis)

    @r.get("/plans/{plan_id}/{revision}/kpis.png")
    def kpi_chart(request: Request, plan_id: str, revision: int):
        import tempfile

        from pipeline.designations.kpi_chart import draw

        session = portal.page_session(request)
        plan = readable(session, plan_id, revision)
        try:
            kpis = compute(portal.paths, store, plan)
        except KpiError:
            raise HTTPException(404, "KPI を計算できません") from None
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "kpis.png"
            draw(kpis, path)
            return Response(path.read_bytes(), media_type="image/png")

    @r.get("/plans/{plan_id}/{revision}/assessment/{number}", response_class=HTMLResponse)
    def assessment(request: Request, plan_id: str, revision: int, number: str):
        """A designated firm's assessment report, by its firm id (a 個人's is vendor:<code>)."""
        session = portal.page_session(request)
        plan = readable(session, plan_id, revision)
        firm = next((d for d in store.designations(plan.plan_id, plan.revision) if d.firm_id == number), None)
        if firm is None or not firm.assessment_file:
            raise HTTPException(404, "その評価はありません")
        report = Path(firm.assessment_file).with_suffix(".md")
        text = report.read_text(encoding="utf-8") if report.is_file() else "(評価の要約ファイルがありません)"
        portal.record(request, session.account.username, "assessment_view", f"{plan.plan_id} {number}", "ok")
        return portal.render(request, "assessment.html", session, plan=plan, firm=firm, report=text)

    # -- the secretariat ----------------------------------------------------------------------

    def secretariat(request: Request):
        session = portal.page_session(request)
        if not session.account.is_secretariat:
            raise HTTPException(403, "事務局のページは閲覧できません")
        return session

    def secretariat_page(request, session, status=200, problems=(), done=None):
        plans = [(p, store.designations(p.plan_id, p.revision)) for p in store.plans()]
        return portal.render(
            request, "secretariat_plans.html", session, status, plans=plans, versions=store.versions(),
            problems=list(problems), done=done, today=dt.date.today().isoformat(),
        )  # fmt: skip

    @r.get("/secretariat/plans", response_class=HTMLResponse)
    def secretariat_plans(request: Request):
        return secretariat_page(request, secretariat(request))

    @r.post("/secretariat/plans/{plan_id}/{revision}/{decision}", response_class=HTMLResponse)
    async def decide(request: Request, plan_id: str, revision: int, decision: str):
        session = secretariat(request)
        data = await request.form()
        portal.check_csrf(session, str(data.get("csrf_token", "")))
        if decision not in ("approve", "return"):
            raise HTTPException(404, "その操作はありません")
        reason, user = str(data.get("reason", "")), session.account.username
        try:
            if decision == "approve":
                excluded = [str(v) for v in data.getlist("exclude")]
                approve(store, plan_id, revision, reason, excluded, by=user)
            else:
                return_plan(store, plan_id, revision, reason, by=user)
        except PlanError as e:
            portal.record(request, user, f"plan_{decision}", f"{plan_id} revision {revision}", "refused")
            return secretariat_page(request, session, 422, problems=e.problems)
        portal.record(request, user, f"plan_{decision}", f"{plan_id} revision {revision}: {reason}", "ok")
        return secretariat_page(request, session, done=f"{plan_id} 改訂{revision}: {decision}")

    @r.post("/secretariat/ichiran/publish", response_class=HTMLResponse)
    async def publish_ichiran(request: Request):
        from pipeline.designations.kpis import write_plan_kpis

        session = secretariat(request)
        data = await request.form()
        portal.check_csrf(session, str(data.get("csrf_token", "")))
        user = session.account.username
        try:
            effective = dt.date.fromisoformat(str(data.get("effective", "")))
            version = await run_in_threadpool(
                publish, portal.paths, store, effective, user,
                lambda folder, revisions: write_plan_kpis(portal.paths, folder, revisions, store),
            )  # fmt: skip
        except (ValueError, PublishError, KpiError) as e:
            portal.record(request, user, "ichiran_publish", str(data.get("effective", ""))[:20], "refused")
            return secretariat_page(request, session, 422, problems=[str(e)])
        portal.record(
            request, user, "ichiran_publish", f"v{version.number:04d} from {version.effective_date}", "ok"
        )
        return secretariat_page(
            request, session, done=f"第{version.number}版を公表しました（{version.effective_date} 適用）"
        )

    return r
