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


def test_there_are_numbered_notebooks_and_a_briefing():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 6 and names[-1] == "10_briefing.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean_with_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    source = "".join(tagged[0]["source"])
    for name in ("report_year", "data_dir", "output_dir", "language"):
        assert f"\n{name} = " in "\n" + source
    # thin notebooks: no cell longer than a few lines, the logic lives in nap_analysis
    assert max(len("".join(c["source"]).splitlines()) for c in code if c is not tagged[0]) <= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_plain_papermill_command_line(path, tmp_path):
    out = tmp_path / path.name
    proc = subprocess.run(
        [str(PAPERMILL), str(path), str(out), "-p", "report_year", "2024", "-p", "output_dir", str(tmp_path / "o"),
         "-p", "language", "en", "--no-progress-bar", "--cwd", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Unable to parse" not in proc.stderr and "unknown parameter" not in proc.stderr
    executed = json.loads(out.read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"]["report_year"] == 2024
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    if path.name != "10_briefing.ipynb":
        written = list((tmp_path / "o").rglob("*.*"))
        assert written and all(p.stat().st_size > 0 for p in written)
    assert "2024" in html
