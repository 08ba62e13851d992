"""Incremental runs: what has not changed since the last good run is taken from it, and the result
has the bytes of a clean run; anything edited by hand, or ``--fresh``, makes it again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED, DATE, tree_bytes


@pytest.fixture
def last_run(built, tmp_path) -> Path:
    """An output root holding the session's 2025 run with the keys it was made with."""
    root = tmp_path / "outputs"
    root.mkdir()
    shutil.copytree(built.out_dir, root / "2025")
    shutil.copytree(built.out_dir.parent / ".nap-reuse", root / ".nap-reuse")
    return root


def _no_kernels(monkeypatch):
    import nap_analysis.pipeline.run as run_module

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started although no notebook had to run")

    monkeypatch.setattr(run_module, "KernelPool", refuse)


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_an_unchanged_rerun_makes_nothing(built, last_run, monkeypatch):
    """Also on another day (seen in CI: the session's run before midnight, this one after): the run
    is asked for a date, so the day it would fall back on is no part of what it depends on."""
    from nap_analysis.pipeline.run import briefing_date, run

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4102358400")  # 2099-12-31: not the day the session's run was made
    assert briefing_date() == "2099-12-31"
    _no_kernels(monkeypatch)
    before, stamps = tree_bytes(last_run / "2025"), _mtimes(last_run / "2025")
    lines = []
    again = run(year=2025, out_root=last_run, date=DATE, report=lambda done, total, text: lines.append(text))
    assert again.unchanged and again.out_dir == last_run / "2025"
    assert again.findings == built.findings and sum(built.findings.values()) > 0
    assert again.files == built.files
    assert tree_bytes(last_run / "2025") == before and _mtimes(last_run / "2025") == stamps
    assert len(lines) == 1 and "--fresh" in lines[0]


def test_other_formats_take_every_notebook_and_document_from_the_last_run(built, last_run, monkeypatch):
    """`--to html,pdf` after a full run: no kernel, no document rendered, and the files those of the
    full run (the manifest records the formats asked for)."""
    from nap_analysis.pipeline.run import run

    _no_kernels(monkeypatch)
    lines = []
    result = run(
        year=2025, out_root=last_run, date=DATE, formats="html,pdf", report=lambda d, t, text: lines.append(text)
    )
    assert not result.unchanged
    kept = [line for line in lines if "ongewijzigd" in line]
    assert len(kept) == len(lines) - 2  # all but 'figures and tables' and 'manifest'
    full, now = tree_bytes(built.out_dir), tree_bytes(result.out_dir)
    assert set(now) == {name for name in full if not name.endswith(".docx")}
    assert {name for name in now if now[name] != full[name]} == {"manifest.json"}
    manifest = json.loads(now["manifest.json"])
    assert manifest["parameters"]["formats"] == ["html", "pdf"]


def test_a_changed_explanation_remakes_what_shows_it_with_the_bytes_of_a_clean_run(last_run, tmp_path, cli):
    """One explanation changed: the documents that do not show it (nor the data's version) come from
    the last run; `verify` (a clean rerun) of a copy elsewhere finds every byte the same. (This is
    also the suite's check that `verify` passes on a moved run of the bundled data in all three
    formats.)"""
    from nap_analysis.pipeline.run import run

    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    root = last_run
    activities = data / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    old = "Handreiking verschenen (pilotversie mei 2023, nieuwe editie maart 2024)."
    assert old in text
    activities.write_text(text.replace(old, old.replace(", nieuwe", "; nieuwe")), encoding="utf-8")
    lines = []
    result = run(year=2025, data_dir=data, out_root=root, date=DATE, report=lambda d, t, text: lines.append(text))
    assert any("nota-bewindspersonen" in line and "ongewijzigd" in line for line in lines), lines
    assert any(line.startswith("bijlage-1-activiteiten") and "ongewijzigd" not in line for line in lines)
    assert "nieuwe editie" in (result.out_dir / "bijlage-1-activiteiten.html").read_text(encoding="utf-8")
    elsewhere = tmp_path / "elders" / "2025"  # a folder verifies wherever it was moved
    shutil.copytree(result.out_dir, elsewhere)
    check = cli("verify", elsewhere)
    assert check.code == 0, check.out + check.err


def test_a_folder_edited_by_hand_or_keys_of_another_folder_give_nothing(last_run):
    from nap_analysis.pipeline import reuse

    keys = json.loads((last_run / ".nap-reuse" / "2025.json").read_text(encoding="utf-8"))
    key = type("Key", (), {"value": keys["run"]})()  # the key the folder was made with
    assert reuse.unchanged(last_run, key) is not None
    assert reuse.Previous.of(last_run, "2025").keys == keys
    page = last_run / "2025" / "briefing.html"
    page.write_bytes(page.read_bytes() + b" ")
    assert reuse.unchanged(last_run, key) is None
    assert reuse.Previous.of(last_run, "2025").keys == {}
    page.write_bytes(page.read_bytes()[:-1])
    assert reuse.Previous.of(last_run, "2025").keys == keys
    (last_run / "2025" / "notities.txt").write_text("eigen aantekening", encoding="utf-8")
    assert reuse.Previous.of(last_run, "2025").keys == {}  # a file the manifest does not know
    (last_run / "2025" / "notities.txt").unlink()
    keys["manifest"] = "0" * 64  # keys written for another manifest (a run that died after its swap)
    (last_run / ".nap-reuse" / "2025.json").write_text(json.dumps(keys), encoding="utf-8")
    assert reuse.Previous.of(last_run, "2025").keys == {}


def test_the_run_key_changes_with_the_data_the_notebooks_and_the_parameters(tmp_path):
    from nap_analysis.pipeline import reuse
    from nap_analysis.resources import notebooks_dir, numbered_notebooks

    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), notebooks)
    paths = numbered_notebooks(notebooks)
    asked = reuse.asked(2025, "nl", None, "2026-12-07", ("html", "pdf", "docx"))
    first = reuse.RunKey(data, paths, asked).value
    assert reuse.RunKey(data, paths, dict(asked)).value == first
    assert reuse.RunKey(data, paths, {**asked, "language": "en"}).value != first
    assert reuse.RunKey(data, paths, {**asked, "fallback": "2026-12-08"}).value != first
    (data / "reports.csv").write_bytes((data / "reports.csv").read_bytes() + b"\n")
    second = reuse.RunKey(data, paths, asked).value
    assert second != first
    paths[0].write_bytes(paths[0].read_bytes().replace(b"Voortgang", b"Voortgang ", 1))
    assert reuse.RunKey(data, paths, asked).value != second


def test_fresh_takes_nothing_from_the_last_run(last_run, cli, monkeypatch):
    from nap_analysis.pipeline import reuse

    def refuse(*args, **kwargs):
        raise AssertionError("--fresh looked at the last run")

    monkeypatch.setattr(reuse, "unchanged", refuse)
    monkeypatch.setattr(reuse.Previous, "of", classmethod(refuse))
    before = tree_bytes(last_run / "2025")
    result = cli("run", "--year", "2025", "--out", last_run, "--date", DATE, "--fresh", "-q")
    assert result.code == 0, result.err
    assert tree_bytes(last_run / "2025") == before


def test_the_environment_key_knows_every_installed_distribution_and_its_version(tmp_path, monkeypatch):
    """The package list is read from the metadata folders' names: the same distributions, with the
    same versions, as importlib.metadata finds; one more (or another version) is another key."""
    import re
    from importlib import metadata

    from nap_analysis.pipeline import reuse

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "_", name).lower()

    # a build in the checkout leaves 'nap_analysis.egg-info' (no version in its name): in the key, not compared
    found = [n.rsplit(".", 1)[0].split("-")[:2] for n in reuse.installed()]
    listed = {(normal(name), normal(version)) for name, version in (p for p in found if len(p) == 2)}
    known = {(normal(d.metadata["Name"]), normal(d.version)) for d in metadata.distributions()}
    assert known <= listed and len(listed) == len(known)
    monkeypatch.setattr(reuse.Environment, "_cached", None)
    before = reuse.Environment.key()
    (tmp_path / "extra_tool-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reuse.Environment, "_cached", None)
    one_more = reuse.Environment.key()
    (tmp_path / "extra_tool-1.0.dist-info").rename(tmp_path / "extra_tool-1.1.dist-info")
    monkeypatch.setattr(reuse.Environment, "_cached", None)
    assert len({before, one_more, reuse.Environment.key()}) == 3
