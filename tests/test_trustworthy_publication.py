"""What a publication guarantees: the rule kept as recorded state, every input change seen by
content, nothing a failed run wrote published, every release kept, one run at a time.

Each test reproduces, through the real command line, a way the lists once disagreed with
their inputs or rule."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.cli import main
from pipeline.definitions import JOB_NAME, build_definitions
from pipeline.registry.store import Registry
from pipeline.runtime.partitions import fiscal_year_partitions
from pipeline.settings import PROJECT_ROOT
from pipeline.stages.publication.manifest import read_manifest
from pipeline.warehouse.run_lock import lock_path
from pipeline.warehouse.versions import PARENTS
from tests.conftest import YEAR, cli, cli_env, firm, paths_under, sale, write_inputs


def _firms() -> list[dict]:
    # Tokyo 1–6 (employees 10·n), Osaka 7–10; sizes make the rule matter.
    return [firm(n, "13" if n <= 6 else "27", employees=10 * n) for n in range(1, 11)]


def _sales(scale: int = 1) -> list[dict]:
    rows = [sale(n, n % 10 + 1, 1_000_000 * n * scale) for n in range(1, 11)]
    rows += [sale(n, (n + 4) % 10 + 1, 700_000 * n) for n in range(1, 11)]
    return rows


def _unknown_supplier_rows(count: int, amount: int) -> list[dict]:
    return [sale(900 + i, 1, amount) for i in range(count)]


def _degrees(folder: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(
            "select corporate_number, connector_degree, hub_degree, out_of_prefecture_sales_jpy, "
            "in_prefecture_purchases_jpy from read_parquet(?) order by corporate_number",
            [str(folder / "firm_degrees.parquet")],
        ).fetchall()


def _rows(path: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute("select * from read_parquet(?) order by all", [str(path)]).fetchall()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return cli(paths_under(root), "run", *args)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_inputs(tmp_path / "raw", _firms(), _sales())
    return tmp_path


@pytest.fixture(scope="module")
def published_root(tmp_path_factory) -> Path:
    """The inputs published by one plain `run`, shared by the tests that begin so."""
    root = tmp_path_factory.mktemp("published")
    write_inputs(root / "raw", _firms(), _sales())
    first = _run(root)
    assert first.returncode == 0, first.stderr
    return root


@pytest.fixture
def copied_root(published_root: Path, tmp_path: Path) -> Path:
    """A copy of the shared publication's folders, for a test that goes on from it."""
    shutil.copytree(published_root, tmp_path, symlinks=True, dirs_exist_ok=True)
    return tmp_path


def test_a_blocked_delivery_never_goes_live_when_the_good_file_returns_with_a_new_rule(copied_root: Path):
    root = copied_root
    published = root / "marts" / YEAR
    a_degrees, a_quarantine = _degrees(published), _rows(published / "quarantine.parquet")
    a_file = (root / "raw" / YEAR / "transactions.csv").read_bytes()

    # Delivery B: unknown suppliers, far above the 1% tolerance.
    write_inputs(root / "raw", _firms(), _sales(scale=3) + _unknown_supplier_rows(2, 9_000_000))
    blocked = _run(root)
    assert blocked.returncode == 1
    assert _degrees(published) == a_degrees, "the blocked delivery left the live release alone"

    (root / "raw" / YEAR / "transactions.csv").write_bytes(a_file)  # A's file back ...
    restored = _run(root, "--min-employees", "10", "--reason", "test")  # ... and a new rule
    assert restored.returncode == 0, restored.stderr
    assert _degrees(published) == a_degrees, "A's degrees, not the blocked delivery's"
    assert _rows(published / "quarantine.parquet") == a_quarantine
    manifest = read_manifest(published)
    inputs = {i["source_file"]: i["sha256"] for i in manifest["inputs"]}
    assert inputs[f"{YEAR}/transactions.csv"] == hashlib.sha256(a_file).hexdigest()
    assert manifest["rule"]["min_employees"] == 10


def test_a_same_size_correction_with_its_mtime_kept_is_seen(copied_root: Path):
    root = copied_root
    path = root / "raw" / YEAR / "transactions.csv"
    before = path.stat()  # rows end with the amount, then the two empty vendor codes
    corrected = path.read_bytes().replace(b",1000000,,\r\n", b",9000000,,\r\n", 1)
    assert corrected != path.read_bytes() and len(corrected) == before.st_size
    path.write_bytes(corrected)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p, rsync -t, unzip do
    again = _run(root)
    assert again.returncode == 0, again.stderr
    assert "up to date" not in again.stdout
    manifest = read_manifest(root / "marts" / YEAR)
    recorded = {i["source_file"]: i["sha256"] for i in manifest["inputs"]}
    assert recorded[f"{YEAR}/transactions.csv"] == hashlib.sha256(corrected).hexdigest()
    forced = _run(root, "--force")
    assert forced.returncode == 0
    manifest = read_manifest(root / "marts" / YEAR)
    assert {i["source_file"]: i["sha256"] for i in manifest["inputs"]} == recorded


def test_the_rule_is_kept_by_plain_runs_and_by_runs_dagster_launches(root: Path):
    ruled = _run(root, "--min-employees", "50", "--reason", "only firms of 50 or more")
    assert ruled.returncode == 0, ruled.stderr
    assert f"[{YEAR}] rule: min_employees 20 → 50" in ruled.stdout
    published = root / "marts" / YEAR
    with duckdb.connect() as con:
        count = con.execute(
            "select count(*), min(employees) from read_parquet(?)",
            [str(published / "national_candidates.parquet")],
        ).fetchone()
    assert count[0] > 0 and count[1] >= 50
    plain = _run(root)
    assert plain.returncode == 0 and "up to date" in plain.stdout
    assert json.loads((published / "rule.json").read_text(encoding="utf-8"))["min_employees"] == 50

    # A run launched by Dagster itself (sensor, schedule, UI): no run config, the recorded rule.
    paths = paths_under(root)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(fiscal_year_partitions.name, [YEAR])
    job = build_definitions(paths).resolve_job_def(JOB_NAME)
    result = job.execute_in_process(partition_key=YEAR, instance=instance, raise_on_error=False)
    assert result.success
    with duckdb.connect() as con:
        again = con.execute(
            "select count(*), min(employees) from read_parquet(?)",
            [str(published / "national_candidates.parquet")],
        ).fetchone()
    assert again == count

    shown = cli(paths, "rule", "show", "--year", YEAR)
    assert "min_employees" in shown.stdout and " 50" in shown.stdout
    history = cli(paths, "rule", "history", "--year", YEAR)
    assert "only firms of 50 or more" in history.stdout
    assert "min_employees 20 → 50" in history.stdout
    (change,) = Registry(paths.registry_path).rule_history(int(YEAR))
    assert change.changed_by and change.changed_at.endswith("+00:00")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--min-sales-jpy", "-1", "min_sales_jpy: Input should be greater than or equal to 0"),
        ("--min-employees", "-5", "min_employees: Input should be greater than or equal to 0"),
        ("--min-connector-degree", "-0.5", "min_connector_degree: Input should be greater than or equal"),
        ("--min-hub-degree", "1.5", "min_hub_degree: Input should be less than or equal to 1"),
        ("--min-sales-jpy", "99999999999999999999", "min_sales_jpy: Input should be less than or equal"),
        ("--min-hub-degree", "nan", "min_hub_degree: Input should be a finite number"),
        ("--quarantine-tolerance", "nan", "quarantine_tolerance: Value error, must be a number between 0"),
        ("--quarantine-tolerance", "2", "quarantine_tolerance: Value error, must be a number between 0"),
        ("--quarantine-tolerance", "-1", "quarantine_tolerance: Value error, must be a number between 0"),
        ("--quarantine-tolerance", "inf", "quarantine_tolerance: Value error, must be a number between 0"),
        ("--top-n", "0", "top_n_per_prefecture: Input should be greater than or equal to 1"),
    ],
)
def test_a_nonsense_rule_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, option: str, value: str, message: str
):
    """The command line's own entry point (`python -m pipeline` calls it), in this process: a
    refusal needs no child of its own, and the runs above go through real ones."""
    write_inputs(tmp_path / "raw", _firms(), _sales())
    for name, setting in cli_env(paths_under(tmp_path)).items():
        monkeypatch.setenv(name, setting)
    returncode = main(["run", option, value])
    stderr = capsys.readouterr().err
    assert returncode == 2
    assert f"error: {message}" in stderr
    assert "nothing was changed or run" in stderr
    assert not (tmp_path / "marts" / YEAR).exists()
    assert Registry(paths_under(tmp_path).registry_path).rule_history(int(YEAR)) == []


def test_the_tolerance_is_recorded_state_and_part_of_the_publication(root: Path):
    write_inputs(root / "raw", _firms(), _sales() + _unknown_supplier_rows(1, 1))  # 1 row of 21
    first = _run(root, "--quarantine-tolerance", "0.050", "--reason", "a small delivery")
    assert first.returncode == 0, first.stderr
    published = root / "marts" / YEAR
    assert read_manifest(published)["quarantine_tolerance"] == "0.05"
    assert json.loads((published / "rule.json").read_text(encoding="utf-8"))["quarantine_tolerance"] == "0.05"

    strict = _run(root, "--quarantine-tolerance", "0", "--reason", "no quarantine at all")
    assert strict.returncode == 1, "not 'up to date': the gate is judged again under the new tolerance"
    assert "quarantine_within_tolerance" in strict.stderr and "tolerance 0.00%" in strict.stderr
    assert read_manifest(published)["quarantine_tolerance"] == "0.05", "the live release is unchanged"

    relaxed = _run(root, "--quarantine-tolerance", "0.06", "--reason", "back")
    assert relaxed.returncode == 0, relaxed.stderr
    assert read_manifest(published)["quarantine_tolerance"] == "0.06"


def test_a_share_just_above_the_tolerance_is_blocked_exactly(tmp_path: Path):
    # 100 staged rows of ¥98,999.96 on average and one quarantined row of ¥100,004: the yen
    # share is exactly 100,004 / 10,000,000 = 1.00004%, rows 1/101 < 1%.
    firms = [firm(n, "13" if n % 2 else "27") for n in range(1, 101)]
    amounts = [98_999] * 99 + [9_899_996 - 98_999 * 99]
    staged = [sale(n, n % 100 + 1, amount) for n, amount in zip(range(1, 101), amounts, strict=True)]
    write_inputs(tmp_path / "raw", firms, staged + _unknown_supplier_rows(1, 100_004))
    blocked = _run(tmp_path)
    assert blocked.returncode == 1
    reason = blocked.stderr.splitlines()[0]
    assert reason.startswith(f"[{YEAR}] FAILED check quarantine_within_tolerance")
    assert "1.00004% of yen" in reason and "tolerance 1.00%" in reason
    assert "Traceback" not in blocked.stdout + blocked.stderr


def test_every_release_is_kept_and_listed(root: Path):
    paths = paths_under(root)
    for employees in ("20", "30", "40"):
        done = _run(root, "--min-employees", employees, "--reason", "test")
        assert done.returncode == 0, done.stderr
    registry = Registry(paths.registry_path)
    releases = registry.releases(int(YEAR))
    assert len(releases) == 3
    for release in releases:
        folder = paths.marts_dir / release.folder
        manifest = read_manifest(folder)
        assert manifest["release_id"] == release.release_id
        assert _sha256(folder / "manifest.json") == release.manifest_sha256
        assert release.candidates == manifest["candidates"]
    assert [r.superseded_at is None for r in releases] == [False, False, True]
    assert releases[0].superseded_at == releases[1].published_at
    assert (paths.marts_dir / YEAR).resolve() == (paths.marts_dir / releases[-1].folder).resolve()
    with duckdb.connect() as con:
        listed = con.execute(
            "select release_id, fiscal_year, rule_sha256, manifest_sha256, superseded_at "
            "from read_parquet(?) order by published_at",
            [str(paths.marts_dir / "releases.parquet")],
        ).fetchall()
    assert [r[0] for r in listed] == [r.release_id for r in releases]
    assert len({r[2] for r in listed}) == 3, "three rules, three rule hashes"
    assert (paths.marts_dir / "releases.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    shown = cli(paths, "releases", "list", "--year", YEAR)
    assert shown.stdout.count(" live") == 1 and shown.stdout.count("superseded") == 2

    kept = cli(paths, "releases", "prune", "--keep-days", "365")
    assert "removed 0 release(s)" in kept.stdout
    pruned = cli(paths, "releases", "prune", "--keep-days", "0")
    assert "removed 2 release(s)" in pruned.stdout
    assert (paths.marts_dir / releases[-1].folder).is_dir(), "the live release is never pruned"
    assert not (paths.marts_dir / releases[0].folder).exists()
    assert registry.release(releases[0].release_id).pruned_at is not None


def test_materialisation_metadata_names_the_release_not_the_moving_link(root: Path):
    assert _run(root).returncode == 0
    assert _run(root, "--min-employees", "30", "--reason", "test").returncode == 0
    instance = dg.DagsterInstance.from_config(str(root / "dagster"))
    try:
        events = instance.fetch_materializations(dg.AssetKey("published_lists"), limit=10).records
        folders = [e.asset_materialization.metadata["release folder"].value for e in events]
        runs = [e.run_id for e in events]
    finally:
        instance.dispose()
    assert len(set(folders)) == 2
    for folder, run_id in zip(folders, runs, strict=True):
        assert read_manifest(Path(folder))["dagster_run_id"] == run_id, "each still names its own"


def test_a_second_run_at_once_is_refused_with_one_line(tmp_path: Path):
    from sample_data.generate import write_sample

    write_sample(tmp_path / "raw", size="tiny", fiscal_year=int(YEAR))
    paths = paths_under(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run"],
        cwd=PROJECT_ROOT,
        env=cli_env(paths),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = lock_path(paths.duckdb_path)
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text(encoding="utf-8")) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = _run(tmp_path)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 2
    assert second.stderr.startswith(f"error: a run of {YEAR} is in progress since ")
    assert second.stderr.strip().endswith("try again later")
    assert len(second.stderr.strip().splitlines()) == 1


def test_the_warehouse_holds_versions_with_their_rows_and_checks(published_root: Path):
    with duckdb.connect(str(paths_under(published_root).duckdb_path), read_only=True) as con:
        held = dict(
            con.execute(
                "select asset, checked from asset_versions where fiscal_year = ?", [int(YEAR)]
            ).fetchall()
        )
    assert set(held) == set(PARENTS)
    assert all(held.values()), "every asset's blocking checks passed on the version it holds"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MB filesystem of its own for the marts folder (the tests run as root, as CI does)."""
    mount_point = tmp_path / "marts"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_a_full_disk_while_drafting_removes_the_draft_and_names_the_folder(root: Path, small_disk: Path):
    assert _run(root).returncode == 0
    published = small_disk / YEAR
    before = _rows(published / "national_candidates.parquet")
    free = os.statvfs(small_disk)
    filler = small_disk / "filler.bin"
    with filler.open("wb") as f:  # leave 256 KB: far less than a draft needs
        f.truncate(0)
        f.write(b"\0" * (free.f_bavail * free.f_frsize - 256 * 1024))
    full = _run(root, "--min-employees", "30", "--reason", "test")
    assert full.returncode == 1
    reason = full.stderr.splitlines()[0]
    assert f"no space left on the device of {small_disk / '.drafts'}" in reason, reason
    assert not any((small_disk / ".drafts").iterdir()), "the half-written draft is removed"
    assert _rows(published / "national_candidates.parquet") == before

    filler.unlink()
    again = _run(root)
    assert again.returncode == 0, again.stderr
    assert read_manifest(published)["rule"]["min_employees"] == 30
