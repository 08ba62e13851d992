"""The notebooks as a researcher meets them: clean in git, parameterised, runnable alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAPERMILL = Path(sys.executable).with_name("papermill")


def test_the_notebooks_are_numbered_once_each_without_a_gap():
    """A run executes the numbered notebooks in order: a number used twice (two '03_') or a gap
    (a renamed '04_' left out) changes the briefing's order silently."""
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)), [p.name for p in NOTEBOOKS]


def test_every_notebook_is_valid_and_has_the_same_parameters_cell():
    """The notebooks are edited in JupyterLab and committed as they are (no generator): what the
    generator used to keep the same is checked here. Every notebook is valid nbformat with unique
    cell ids, and the parameters cell that papermill replaces is the same in each."""
    import nbformat

    parameters = set()
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        ids = [c["id"] for c in nb.cells]
        assert len(ids) == len(set(ids)), path.name
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        parameters.add(tagged[0].source)
    assert len(parameters) == 1, "the parameters cells differ between the notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean_with_one_parameters_cell_and_a_kernel_that_exists_anywhere(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    source = "".join(tagged[0]["source"])
    for name in ("report_year", "data_dir", "language", "briefing_date"):
        assert f"\n{name} = " in "\n" + source
    # the kernel every Jupyter installation with ipykernel has, not one that exists only during a run
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    # a narrative: Dutch prose between the cells
    assert sum(1 for c in nb["cells"] if c["cell_type"] == "markdown") >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_plain_papermill_shows_a_dataframe_a_figure_and_a_section(path, tmp_path):
    """What a researcher gets from `papermill notebooks/NN.ipynb out.ipynb -p report_year 2024`."""
    out = tmp_path / path.name
    proc = subprocess.run(
        [
            str(PAPERMILL),
            str(path),
            str(out),
            "-p",
            "report_year",
            "2024",
            "-p",
            "language",
            "en",
            "--no-progress-bar",
            "--cwd",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Unable to parse" not in proc.stderr and "unknown parameter" not in proc.stderr
    executed = json.loads(out.read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"]["report_year"] == 2024
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    kinds = [set(o.get("data", {})) for o in outputs]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("dataframe" in "".join(h) for h in html), "no DataFrame shown"
    assert any("image/png" in k for k in kinds), "no figure shown"
    assert any("application/vnd.nap.section+json" in k for k in kinds), "no section shown"
    import nbformat

    from nap_analysis.briefing.model import sections_in_notebook

    sections = sections_in_notebook(nbformat.read(out, as_version=4))
    assert sections and all(s.language == "en" for s in sections)
    assert not list(tmp_path.glob("*.csv")) and not (tmp_path / "figures").exists()  # a notebook writes no files
