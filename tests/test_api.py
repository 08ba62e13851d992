"""The README's Python API example runs as it stands, and says what the command line says."""

from __future__ import annotations

import re
import shutil

from conftest import BUNDLED, ROOT


def _example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- api-example:[^>]*-->\n```python\n(.*?)```", text, re.DOTALL)
    assert block, "the README lost its API example"
    return block.group(1)


def test_the_readme_api_example_runs_and_agrees_with_the_command_line(tmp_path, monkeypatch, capsys, cli):
    shutil.copytree(BUNDLED, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(_example(), "README.md", "exec"), namespace)
    result, findings, judged = namespace["result"], namespace["findings"], namespace["judged"]
    assert result.out_dir == tmp_path / "mijn-uitvoer" / "2025" and "briefing.pdf" in result.files
    assert capsys.readouterr().out.strip() == f"{result.out_dir} {len(result.files)} {len(findings)}"
    # the same findings as `nap-analysis check` on that folder, the same verdicts as the briefing's
    shown = cli("check", "--data", tmp_path / "data", "--out", tmp_path / "mijn-uitvoer", "--json")
    assert shown.out.count('"kind":') == len(findings) > 0
    assert list(judged["on_course"]) == [True, True, True, True, False]  # line 5: through the made-up A27
