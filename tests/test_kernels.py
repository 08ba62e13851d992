"""How a run shares its kernels: the order of the notebooks and how many kernels."""
from __future__ import annotations

import json

from nap_analysis.kernels import _schedule, kernel_count
from nap_analysis.run import notebooks


def test_the_briefing_goes_first_and_the_other_kernel_meets_it_from_the_bottom():
    order = [p.name for p in _schedule(notebooks())]
    assert order[0] == "10_briefing.ipynb"
    # the briefing's last charts (funds, milestones: 04) come first for the other kernel, 01's first chart last
    assert order[1] == "04_middelen_en_planning.ipynb" and order[-1] == "01_voortgang_per_actielijn.ipynb"
    assert sorted(order) == sorted(p.name for p in notebooks())


def _notebook(path, calls):
    cells = [{"cell_type": "code", "source": f"report.{c}()", "metadata": {}, "outputs": [], "execution_count": None}
             for c in calls]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_the_schedule_follows_the_briefing_not_the_file_names(tmp_path):
    a = _notebook(tmp_path / "01_a.ipynb", ["alpha"])
    b = _notebook(tmp_path / "02_b.ipynb", ["beta"])
    c = _notebook(tmp_path / "03_c.ipynb", ["gamma"])
    briefing = _notebook(tmp_path / "10_briefing.ipynb", ["beta", "gamma", "alpha"])
    assert _schedule([a, b, c, briefing]) == [briefing, a, c, b]
    assert _schedule([c, a, b]) == [a, b, c]  # no briefing: file order


def test_kernel_count_shares_the_cores(monkeypatch):
    monkeypatch.delenv("NAP_KERNELS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert kernel_count(6) == 2 and kernel_count(6, runs_at_once=2) == 1 and kernel_count(1) == 1
    monkeypatch.setenv("NAP_KERNELS", "3")
    assert kernel_count(6) == 3
