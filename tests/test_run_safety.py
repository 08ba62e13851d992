"""Nothing lost, nothing orphaned, nothing different on a rerun: `run` under failure and stress."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import BUNDLED, DATE, FIXTURES, ROOT, processes_gone, tree_bytes

CLI = [sys.executable, "-m", "nap_analysis.cli"]


def _notebook(path: Path, *sources: str) -> None:
    """A tiny numbered notebook: a parameters cell, then the given code cells."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "report_year = None\ndata_dir = None\noutput_dir = None\nlanguage = 'nl'\nbriefing_date = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(src) for src in sources)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def previous(built, tmp_path) -> Path:
    """An output root that already holds a good 2025 briefing (a copy of the session's run)."""
    root = tmp_path / "outputs"
    shutil.copytree(built.out_dir, root / "2025")
    return root


def test_a_failing_cell_names_notebook_cell_and_error_and_keeps_the_old_outputs(previous, tmp_path):
    from nap_analysis.errors import RunError
    from nap_analysis.run import run

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_goed.ipynb", "x = 1")
    _notebook(notebooks / "02_kapot.ipynb", "y = 2", "raise ValueError('kolom ontbreekt in tabel')")
    before = tree_bytes(previous / "2025")
    with pytest.raises(RunError) as caught:
        run(year=2025, data_dir=FIXTURES / "small", out_root=previous, notebook_dir=notebooks, date=DATE)
    message = str(caught.value)
    # cell 4 of the executed notebook: parameters, papermill's injected parameters, 'y = 2', the raise
    assert "02_kapot.ipynb" in message and "cel 4" in message and "raise ValueError" in message
    assert "ValueError" in message and "kolom ontbreekt in tabel" in message
    failed = previous / "2025" / "failed"
    assert str(failed) in message
    kept = nbformat.read(failed / "02_kapot.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    after = tree_bytes(previous / "2025")
    assert {k: v for k, v in after.items() if not k.startswith("failed/")} == before  # old briefing intact
    assert not list(previous.glob(".tmp-*"))  # no half-built folder left behind


def test_the_cli_exits_1_with_the_message_for_a_failing_notebook(tmp_path, cli, monkeypatch):
    import nap_analysis.run as run_module

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_kapot.ipynb", "1 / 0")
    monkeypatch.setattr(run_module, "NOTEBOOK_DIR", notebooks)
    result = cli("run", "--data", FIXTURES / "small", "--out", tmp_path / "out", "--year", "2025")
    assert result.code == 1
    assert "01_kapot.ipynb" in result.err and "ZeroDivisionError" in result.err
    assert "Traceback" not in result.err


def _start_run(out_root: Path) -> subprocess.Popen:
    """`nap-analysis run` in its own process group, as a terminal would start it."""
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen([*CLI, "run", "--year", "2025", "--out", str(out_root), "--date", DATE], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_until_halfway(process: subprocess.Popen, out_root: Path, timeout: float = 120) -> list[int]:
    """Wait until the first notebook has been written in the build folder; the kernel's pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be interrupted: {process.stderr.read()}")
        if list(out_root.glob(".tmp-2025.*/notebooks/*.ipynb")):  # whichever notebook the kernels finish first
            kernels = [c.pid for c in psutil.Process(process.pid).children(recursive=True)]
            if kernels:
                return kernels
        time.sleep(0.2)
    pytest.fail("the run did not reach its first notebook in time")


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupting_a_run_halfway_loses_nothing_and_leaves_no_kernel(previous, how):
    before = tree_bytes(previous / "2025")
    process = _start_run(previous)
    kernels = _wait_until_halfway(process, previous)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # the whole foreground group, kernel included, as a terminal does
    else:
        process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "onderbroken" in err and "Traceback" not in err
    assert tree_bytes(previous / "2025") == before
    assert not list(previous.glob(".tmp-*")) and not list(previous.glob(".old-*"))
    assert processes_gone(kernels), "the kernel outlived the interrupted run"


def test_a_killed_run_leaves_the_previous_outputs_byte_identical(previous):
    """SIGKILL cannot be caught: the old folder stays intact and the orphaned kernel exits by itself."""
    before = tree_bytes(previous / "2025")
    process = _start_run(previous)
    kernels = _wait_until_halfway(process, previous)
    process.kill()
    process.communicate(timeout=30)
    assert tree_bytes(previous / "2025") == before
    assert processes_gone(kernels, timeout=20), "the kernel of a killed run must notice its parent died and exit"


def test_a_second_run_into_the_same_folder_stops_with_a_message(previous, tmp_path):
    from nap_analysis.run import BusyError, run

    process = _start_run(previous)
    try:
        _wait_until_halfway(process, previous)
        with pytest.raises(BusyError, match="er loopt al een run"):
            run(year=2025, out_root=previous, date=DATE)
        other = run(year=2025, data_dir=FIXTURES / "small", out_root=tmp_path / "elders", date=DATE)
        assert other.out_dir.exists()  # another folder is not blocked
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.communicate(timeout=60)


def test_two_runs_give_identical_outputs_and_verify_passes(built, cli, tmp_path, monkeypatch):
    """The second run uses ONE kernel, started as a new Python (the first: two kernels forked from
    the fork server, sharing figures): the bytes may not depend on which kernel ran which
    notebook, which kernel drew a chart, nor on how the kernel was started."""
    from nap_analysis.run import run

    first = json.loads((built.out_dir / "manifest.json").read_text(encoding="utf-8"))
    root = tmp_path / "outputs"
    monkeypatch.setenv("NAP_KERNELS", "1")
    monkeypatch.setenv("NAP_NO_FORKSERVER", "1")
    second = run(year=2025, out_root=root, date=DATE)
    monkeypatch.delenv("NAP_KERNELS")
    monkeypatch.delenv("NAP_NO_FORKSERVER")
    manifest = json.loads((second.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == first["outputs"]
    assert {"briefing.pdf", "briefing.html", "tables/tabellen.xlsx", "figures/voortgang_per_actielijn.svg"} <= set(
        manifest["outputs"])
    assert manifest["inputs"] == first["inputs"] and len(manifest["inputs"]) >= 7
    result = cli("verify", second.out_dir)
    assert result.code == 0, result.err
    # and verify does see a difference when an output was edited by hand
    (second.out_dir / "tables" / "signalen.csv").write_bytes(b"handmatig aangepast\r\n")
    result = cli("verify", second.out_dir)
    assert result.code == 1 and "tables/signalen.csv" in result.err


def test_a_run_never_writes_its_inputs(tmp_path):
    from nap_analysis.run import run

    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "small", data)
    before = {**tree_bytes(data), **{f"mtime:{p}": str(p.stat().st_mtime_ns).encode() for p in data.iterdir()}}
    run(year=2025, data_dir=data, out_root=tmp_path / "out", language="en", date=DATE)
    after = {**tree_bytes(data), **{f"mtime:{p}": str(p.stat().st_mtime_ns).encode() for p in data.iterdir()}}
    assert after == before


def test_a_batch_of_years_and_languages_side_by_side(cli, tmp_path):
    """--jobs 2: the 2025 and 2025-en runs share an output root and must not touch each other's build."""
    out = tmp_path / "out"
    result = cli("run", "--data", FIXTURES / "small", "--year", "2024", "2025", "--lang", "nl", "en",
                 "--out", out, "--jobs", "2", "--date", DATE)
    assert result.code == 0, result.err
    assert sorted(p.parent.name for p in out.glob("*/briefing.pdf")) == ["2024", "2024-en", "2025", "2025-en"]
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))
    manifest = json.loads((out / "2025-en" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["language"] == "en" and manifest["parameters"]["report_year"] == 2025
