"""KPIs of a plan on the tiny two-year data set, every figure computed here by hand from the
rows the world fixture wrote (tests/designations/conftest.py: SIZES and TRANSACTIONS)."""

from __future__ import annotations

import csv
import json

from tests.conftest import cn
from tests.designations.conftest import CANDIDATES, CYCLE_PLAN, ok, plan_file

TARGETS = ("域内取引額=700,000,000@2025", "売上額=13000000000@2025", "雇用=300@2025", "賃上げ=3%@2026",
           "雇用=200@2024")  # fmt: skip


def test_kpis_of_a_plan_by_hand(marts, tmp_path):
    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [{"corporate_number": cn(n), "basis": "candidate"} for n in CANDIDATES])
    kpi_options = [option for target in TARGETS for option in ("--kpi", target)]
    ok(marts.cli(store, "plans", "submit", *CYCLE_PLAN, "--firms", str(firms), *kpi_options))
    ok(marts.cli(store, "plans", "approve", "13-0001", "--revision", "1", "--reason", "ok"))
    kpis = json.loads(ok(marts.cli(store, "plans", "kpis", "13-0001", "--json")).stdout)
    assert kpis["baseline_year"] == 2025
    years = {y["fiscal_year"]: y for y in kpis["years"]}
    assert sorted(years) == [2024, 2025]
    # 域内取引額: Tokyo-internal trades with firm 1, 2 or 3 on a side.
    # 2024: 2→1 300M, 4→3 80M.  2025: 2→1 400M, 4→3 100M, 1→3 250M (two designated firms: once).
    assert years[2024]["in_region_transactions_jpy"] == 300_000_000 + 80_000_000
    assert years[2025]["in_region_transactions_jpy"] == 400_000_000 + 100_000_000 + 250_000_000
    assert years[2024]["sales_jpy"] == 6_000_000_000 + 4_000_000_000 + 2_000_000_000
    assert years[2025]["sales_jpy"] == 6_600_000_000 + 4_400_000_000 + 2_200_000_000
    assert (years[2024]["employees"], years[2025]["employees"]) == (120 + 80 + 50, 130 + 70 + 60)
    wage_2024 = (5_000_000 * 120 + 4_000_000 * 80 + 6_000_000 * 50) / 250  # 4,880,000
    wage_2025 = (5_200_000 * 130 + 4_100_000 * 70 + 6_300_000 * 60) / 260  # 5,157,692.3
    assert years[2024]["average_wage_jpy"] == round(wage_2024) == 4_880_000
    assert years[2025]["average_wage_jpy"] == round(wage_2025) == 5_157_692
    report = {(r["kpi"], r["fiscal_year"]): r for r in kpis["report"]}
    wage_rise = round((5_157_692 / 4_880_000 - 1) * 100, 2)  # 5.69 %
    assert report[("賃上げ", 2025)]["change_from_previous_year"] == wage_rise
    assert report[("売上額", 2024)]["change_from_baseline"] == 12_000_000_000 - 13_200_000_000
    verdicts = {(r["kpi"], r["target_year"]): r["verdict"] for r in kpis["report"] if r["target"] is not None}
    assert verdicts == {
        ("域内取引額", 2025): "met",  # 750M ≥ 700M
        ("売上額", 2025): "met",  # 13.2bn ≥ 13bn
        ("雇用", 2025): "not met",  # 260 < 300
        ("雇用", 2024): "met",  # 250 ≥ 200
        ("賃上げ", 2026): "no data",  # the warehouse holds no 2026
    }
    text = ok(marts.cli(store, "plans", "kpis", "13-0001")).stdout
    assert "target 雇用 300 in 2025: not met" in text and "target 賃上げ 3% in 2026: no data" in text

    ok(marts.cli(store, "ichiran", "publish", "--effective", "2026-04-01"))
    folder = marts.paths.marts_dir / "ichiran" / "v0001" / "plans" / "13-0001"
    raw = (folder / "kpis.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    order = [(r["kpi"], r["fiscal_year"]) for r in rows][:3]
    assert order == [("域内取引額", "2024"), ("域内取引額", "2025"), ("売上額", "2024")]
    sales = next(r for r in rows if r["kpi"] == "売上額" and r["fiscal_year"] == "2025")
    assert float(sales["value"]) == 13_200_000_000 and sales["verdict"] == "met"
    assert (folder / "kpis.png").read_bytes().startswith(b"\x89PNG")
    manifest = json.loads((folder.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    assert "plans/13-0001/kpis.csv" in {o["file"] for o in manifest["outputs"]}


def test_a_firm_found_in_no_year_has_no_figures_not_zeros(marts, tmp_path):
    from pipeline.designations.kpis import compute
    from pipeline.designations.store import PlanStore

    store = tmp_path / "plans.sqlite3"
    firms = plan_file(tmp_path, [{"corporate_number": cn(1), "basis": "candidate"}])
    ok(marts.cli(store, "plans", "submit", *CYCLE_PLAN, "--firms", str(firms)))
    plans = PlanStore(store)
    revision = plans.revision("13-0001")
    kpis = compute(marts.paths, plans, revision)
    assert [y["firms_found"] for y in kpis["years"]] == [1, 1]
    assert [y["average_wage_jpy"] for y in kpis["years"]] == [5_000_000, 5_200_000]
