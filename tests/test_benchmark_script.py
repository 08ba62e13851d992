"""The benchmark script runs and writes what the README promises (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_benchmark_scaling_smoke_run_writes_its_json(tmp_path):
    out = tmp_path / "benchmarks.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--only",
            "scaling",
            "floor",
            "badinput",
            "--sizes",
            "1000",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["machine"]["cpu_count"] >= 1
    assert isinstance(results["machine"]["library_modules_without_fresh_bytecode"], list)
    floor = results["measurements"]["floor"]
    assert floor["median"] > 0 and len(floor["samples"]) == 1
    size = results["measurements"]["scaling"]["sizes"]["1000"]
    assert set(size["stages"]) == {"load", "progress", "flags", "transitions"}
    assert all(stage["median"] > 0 for stage in size["stages"].values())
    assert size["peak_rss_mb"]["median"] > 0
    assert "library scaling, SYNTHETIC data" in done.stdout
    # bad data: both commands measured (each exited 2, or the script would have stopped)
    bad = results["measurements"]["badinput"]
    assert bad["validate"]["median"] > 0 and bad["run"]["median"] > 0
    assert bad["ratio"]["value"] == round(bad["run"]["median"] / bad["validate"]["median"], 3)
    assert "ratio run / validate (bad data)" in done.stdout


def test_floor_and_ours_are_measured_in_turns(tmp_path):
    """floor, ours, floor: the ratio compares timings from the same minutes."""
    out = tmp_path / "benchmarks.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "ours", "floor", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(out.read_text(encoding="utf-8"))["measurements"]
    assert len(measured["floor"]["samples"]) == 2 and len(measured["ours"]["samples"]) == 1
    assert measured["floor"]["order"].startswith("in turns")
    ratio = measured["ratios"]["ours_over_floor"]["value"]
    assert abs(ratio - measured["ours"]["median"] / measured["floor"]["median"]) < 0.01
    assert done.stderr.index("floor and ours, in turns") < done.stderr.index("ours run 1/1")
