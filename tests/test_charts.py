"""The per-prefecture chart: points for a few firms, a density for many, always a whole PNG."""

from __future__ import annotations

import numpy as np

from pipeline.stages.publication.drawing import (
    DENSITY_ABOVE,
    PrefectureFirms,
    draw_all,
    draw_in_parallel,
    drawing_workers,
    is_png,
)


def test_charts_for_few_many_and_no_firms(tmp_path):
    rng = np.random.default_rng(1)
    many = DENSITY_ABOVE + 1_000
    x, y = rng.lognormal(-9, 2, many), rng.lognormal(-9, 2, many)
    firms = [
        PrefectureFirms(
            "01", "北海道", np.array([0.5, 0.0, np.nan]), np.array([0.2, 0.3, 0.1]), np.array([1, 0, 0])
        ),
        PrefectureFirms("13", "東京都", x, y, rng.random(many) < 0.01),
        PrefectureFirms("47", "沖縄県", np.array([]), np.array([]), np.array([], dtype=bool)),
    ]
    hidden = draw_all(firms, 2025, (0.001, 0.001), tmp_path)
    assert hidden == {"01": 2, "13": 0, "47": 0}  # a zero and a null degree cannot be placed
    assert all(is_png(tmp_path / f"{code}.png") for code in ("01", "13", "47"))
    assert (tmp_path / "13.png").stat().st_size > (tmp_path / "47.png").stat().st_size
    (tmp_path / "broken.png").write_bytes((tmp_path / "13.png").read_bytes()[:-20])
    assert not is_png(tmp_path / "broken.png")


def test_charts_drawn_in_worker_processes_are_the_same_files(tmp_path):
    rng = np.random.default_rng(2)
    firms = [
        PrefectureFirms(code, name, rng.lognormal(-8, 2, n), rng.lognormal(-8, 2, n), rng.random(n) < 0.05)
        for code, name, n in (
            ("01", "北海道", 40),
            ("13", "東京都", DENSITY_ABOVE + 500),
            ("27", "大阪府", 300),
        )
    ]
    for folder in ("alone", "shared", "started"):
        (tmp_path / folder).mkdir()
    alone = draw_all(firms, 2025, (0.001, 0.001), tmp_path / "alone")
    shared = draw_in_parallel(firms, 2025, (0.001, 0.001), tmp_path / "shared", workers=2)
    with drawing_workers(2) as pool:  # started ahead, as a run's chart_workers resource does
        started = draw_in_parallel(firms, 2025, (0.001, 0.001), tmp_path / "started", 2, pool=pool)
    assert shared == alone == started
    for code in ("01", "13", "27"):
        drawn = {(tmp_path / f / f"{code}.png").read_bytes() for f in ("alone", "shared", "started")}
        assert len(drawn) == 1, code
