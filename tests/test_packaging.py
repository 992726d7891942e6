"""A wheel built from the project holds every SQL file and template, and works outside the checkout.

The wheel is installed (not editable) into a fresh virtual environment. Its dependencies are
taken from the project's own environment through a path file, so the test needs no network;
the pipeline, its SQL and the commands all come from the wheel, as `pip install .` gives them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(PROJECT_ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [built] = out.glob("chiiki_mirai_candidates-*.whl")
    return built


def test_the_wheel_holds_every_sql_file_and_template(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        path.relative_to(PROJECT_ROOT).as_posix()
        for pattern in ("pipeline/**/*.sql", "portal/templates/*.html", "portal/schema.sql")
        for path in PROJECT_ROOT.glob(pattern)
    }
    assert len(wanted) > 100
    assert sorted(wanted - names) == []
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "sample = sample_data.command:register" in text
    assert "accounts = portal.commands:register" in text


def test_the_installed_wheel_samples_and_runs_outside_the_checkout(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies, from the project's environment (the checkout's own package is not on it:
    # its editable finder is a .pth file there, which a path added this way does not run).
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATA_", "DUCKDB_", "DAGSTER_"))}
    environment.pop("REGISTRY_PATH", None)
    environment.pop("PYTHONPATH", None)

    def pipeline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), "-m", "pipeline", *args],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = subprocess.run(
        [str(python), "-c", "import pipeline, sample_data; print(pipeline.__file__, sample_data.__file__)"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(PROJECT_ROOT) not in where and str(venv) in where
    sampled = pipeline("sample", "--size", "tiny")
    assert sampled.returncode == 0, sampled.stderr
    ran = pipeline("run")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    published = work / "data" / "marts" / "2025"
    assert (published / "national_candidates.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(list((published / "prefectures").glob("*.csv"))) == 47
    assert (work / "data" / "registry.sqlite3").is_file()
