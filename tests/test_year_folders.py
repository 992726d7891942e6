"""Fiscal-year folders: only four ASCII digits are a fiscal year; other folders are warned about
and never run (２０２５ would run as 2025 without reading its own files; 202² would crash)."""

from __future__ import annotations

import shutil

from pipeline.settings import fiscal_years_in, skipped_year_folders
from sample_data.generate import write_sample
from tests.conftest import cli, paths_under

NOT_YEARS = ["2025a", "R7", "202²", "202５", "２０２５"]


def test_only_ascii_four_digit_folders_are_fiscal_years(tmp_path):
    for name in ["2024", *NOT_YEARS, ".cache"]:
        (tmp_path / name).mkdir()
    (tmp_path / "2023").write_text("a file, not a folder", encoding="utf-8")
    assert fiscal_years_in(tmp_path) == ["2024"]
    assert sorted(p.name for p in skipped_year_folders(tmp_path)) == sorted(NOT_YEARS)


def test_run_warns_about_each_folder_it_skips_and_runs_only_fiscal_years(tmp_path):
    paths = paths_under(tmp_path)
    write_sample(paths.raw_dir, size="tiny", fiscal_year=2024)
    for name in NOT_YEARS:
        shutil.copytree(paths.raw_dir / "2024", paths.raw_dir / name)
    done = cli(paths, "run")
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning: skipped")]
    assert sorted(warned) == sorted(
        f"warning: skipped {paths.raw_dir / name}: not a fiscal-year folder (four ASCII digits, e.g. 2025)"
        for name in NOT_YEARS
    )
    assert "Traceback" not in done.stderr
    published = sorted(p.name for p in paths.marts_dir.iterdir() if p.is_symlink())  # the years' links
    assert published == ["2024"]
    assert "２０２５" not in done.stdout and str(paths.marts_dir / "2024") in done.stdout


def test_a_folder_like_a_year_alone_is_no_fiscal_year(tmp_path):
    paths = paths_under(tmp_path)
    (paths.raw_dir / "202²").mkdir(parents=True)
    done = cli(paths, "run")
    assert done.returncode == 2
    assert f"warning: skipped {paths.raw_dir / '202²'}" in done.stderr
    assert "error: no fiscal-year folders" in done.stderr and "Traceback" not in done.stderr


def test_a_year_given_with_full_width_digits_is_refused(tmp_path):
    paths = paths_under(tmp_path)
    (paths.raw_dir / "２０２５").mkdir(parents=True)
    done = cli(paths, "run", "--year", "２０２５")
    assert done.returncode == 2
    assert "'２０２５' is not a fiscal year (four ASCII digits, e.g. 2025)" in done.stderr
