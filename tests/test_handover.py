"""The data are read and checked once per run: bad data stop it before any kernel starts, and the
kernels get exactly the tables a load of the run's copy of the data would give."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import BUNDLED, DATE, FIXTURES


def _copy_like_a_run(programme, target: Path) -> None:
    from nap_analysis.pipeline.run import _copy_inputs

    _copy_inputs(programme, target)


def _assert_same_programme(a, b) -> None:
    for f in dataclasses.fields(a):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right, check_exact=True)
        else:
            assert left == right, f.name


def test_the_handed_data_are_what_a_load_of_the_runs_copy_gives(tmp_path, monkeypatch):
    from nap_analysis.data import handover, load

    programme = load(BUNDLED)
    _copy_like_a_run(programme, tmp_path / "data")
    handed = handover.write(programme, Path("data"), tmp_path / "handed.pickle")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(handover, "_handed", None)
    handover.receive(handed, "data")
    taken = handover.take("data")
    assert taken is not None and taken.data_dir == Path("data")
    monkeypatch.setattr(handover, "_handed", None)
    _assert_same_programme(taken, load("data"))
    # a fresh copy each time: a notebook that changes its tables changes no other notebook's
    handover.receive(handed, "data")
    first = load("data")
    first.activities.loc[:, "explanation"] = "veranderd"
    assert (load("data").activities["explanation"] != "veranderd").any()


def test_a_changed_or_other_folder_is_read_from_its_files(tmp_path, monkeypatch):
    from nap_analysis.data import handover, load

    programme = load(FIXTURES / "small")
    _copy_like_a_run(programme, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(handover, "_handed", None)
    handover.receive(handover.write(programme, Path("data"), tmp_path / "handed.pickle"), "data")
    shutil.copytree(tmp_path / "data", tmp_path / "other")
    assert handover.take("other") is None  # another folder
    activities = next((tmp_path / "data").glob("activities.*"))
    text = activities.read_text(encoding="utf-8")
    activities.write_text(text.replace("Afgerond", "Afgerond ", 1), encoding="utf-8")
    assert text != activities.read_text(encoding="utf-8")
    assert handover.take("data") is None  # its files changed since: the loader reads them
    assert load("data").data_version != programme.data_version


def test_bad_data_stop_the_run_before_any_kernel_starts(tmp_path, monkeypatch, small_copy, cli):
    import nap_analysis.pipeline.run as run_module
    from nap_analysis.errors import DataError

    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel pool was started for data that are refused")

    monkeypatch.setattr(run_module, "KernelPool", no_kernels)
    actielijnen = next(small_copy.glob("actielijnen.*"))
    actielijnen.write_text(actielijnen.read_text(encoding="utf-8") + "zeven,,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        run_module.run(year=2025, data_dir=small_copy, out_root=tmp_path / "out", date=DATE)
    assert actielijnen.name in str(caught.value)
    assert not (tmp_path / "out" / "2025").exists()
    # the command line goes through run_many, whose pool must be as lazy as run's own
    result = cli("run", "--data", small_copy, "--out", tmp_path / "out", "--year", "2025", "--year", "2024")
    assert result.code == 2 and actielijnen.name in result.err, result.err
    assert "Traceback" not in result.err and not (tmp_path / "out").exists()


def test_a_notebook_in_a_run_gets_the_checked_data_handed_over(tmp_path):
    """The kernel's own ``load(data_dir)`` is served from the handover (the error shows what it saw)."""
    from nap_analysis.errors import RunError
    from nap_analysis.pipeline.run import run

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("report_year = None\ndata_dir = None\nlanguage = 'nl'\nbriefing_date = None")
    params.metadata["tags"] = ["parameters"]
    probe = (
        "import os\nfrom nap_analysis.data import handover, load\n"
        "p = load(data_dir)\n"
        "raise ValueError(f'handed={handover.take(data_dir) is not None} dir={p.data_dir} cwd={os.getcwd()}')"
    )
    nb.cells = [params, nbformat.v4.new_code_cell(probe)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "01_probe.ipynb")
    with pytest.raises(RunError) as caught:
        run(year=2025, data_dir=FIXTURES / "small", out_root=tmp_path / "out", notebook_dir=notebooks, date=DATE)
    assert "handed=True dir=data" in str(caught.value), str(caught.value)
    assert not list((tmp_path / "out").rglob("*.pickle"))  # the handover stays out of the outputs
    assert os.getcwd() != str(tmp_path / "out")
