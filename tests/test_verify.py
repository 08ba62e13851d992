"""verify: every shape of manifest is a message, and the folder is checked beyond its files."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from nap_analysis.pipeline.manifest import differences, file_hashes, folder_state, read_manifest
from nap_analysis.words import words

GOOD = {
    "tool": "nap-analysis",
    "manifest_version": 2,
    "output": "2025",
    "parameters": {"report_year": 2025, "language": "nl", "briefing_date": "2026-11-22"},
    "inputs": {"data/activities.csv": "0" * 64},
    "outputs": {"briefing.html": "a" * 64},
    "packages": {"pandas": "3.0"},
    "git_commit": "unknown",
}


def _with(**changes) -> dict:
    manifest = json.loads(json.dumps(GOOD))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = manifest
        for part in parents:
            target = target[part]
        target[last] = value
    return manifest


BAD_SHAPES = {
    "a list": [1, 2],
    "a number": 7,
    "null": None,
    "outputs a list": _with(outputs=["briefing.html"]),
    "a hash a number": _with(outputs={"briefing.html": 5}),
    "a hash not hex": _with(inputs={"data/activities.csv": "z" * 64}),
    "packages a string": _with(packages="pandas"),
    "a version a number": _with(packages={"pandas": 3.0}),
    "year a string": _with(parameters__report_year="2025"),
    "year true": _with(parameters__report_year=True),
    "language a list": _with(parameters__language=["nl"]),
    "date missing": {**GOOD, "parameters": {"report_year": 2025, "language": "nl"}},
    "commit a dict": _with(git_commit={"sha": "x"}),
    "parameters null": _with(parameters=None),
}


@pytest.mark.parametrize("shape", sorted(BAD_SHAPES))
def test_every_manifest_shape_is_one_message_and_exit_2(shape, tmp_path, cli):
    (tmp_path / "manifest.json").write_text(json.dumps(BAD_SHAPES[shape]), encoding="utf-8")
    result = cli("verify", tmp_path)
    assert result.code == 2, result.err
    assert "geen manifest van nap-analysis" in result.err and "Traceback" not in result.err


def test_a_deeply_nested_or_huge_manifest_is_one_message(tmp_path, cli):
    (tmp_path / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = cli("verify", tmp_path)
    assert result.code == 2 and "geen leesbare JSON" in result.err and "Traceback" not in result.err
    with open(tmp_path / "manifest.json", "w", encoding="utf-8") as handle:
        handle.write('{"tool": "nap-analysis", "x": "' + "y" * (9 * 1024 * 1024) + '"}')
    result = cli("verify", tmp_path)
    assert result.code == 2 and "geen manifest van nap-analysis" in result.err
    assert read_manifest.__doc__  # the reader is the one verify uses


def test_a_good_shape_is_read(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(GOOD), encoding="utf-8")
    assert read_manifest(tmp_path) == GOOD


def test_folder_state_names_links_special_files_empty_folders_and_modes(tmp_path):
    (tmp_path / "briefing.html").write_text("x")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.svg").write_text("<svg/>")
    (tmp_path / "leeg").mkdir()
    os.symlink("briefing.html", tmp_path / "kopie.html")
    os.symlink("/etc", tmp_path / "etc")  # a linked folder is named, never entered
    os.mkfifo(tmp_path / "pijp")
    (tmp_path / "script.sh").write_text("echo")
    (tmp_path / "script.sh").chmod(0o755)
    (tmp_path / "open.csv").write_text("x")
    (tmp_path / "open.csv").chmod(0o666)
    state = {(name, kind) for name, kind, _ in folder_state(tmp_path)}
    assert state == {
        ("leeg", "empty_folder"),
        ("kopie.html", "symlink"),
        ("etc", "symlink"),
        ("pijp", "special"),
        ("script.sh", "mode"),
        ("open.csv", "mode"),
    }
    assert set(file_hashes(tmp_path)) == {"briefing.html", "figures/a.svg", "script.sh", "open.csv"}


def test_an_added_folder_is_one_line_with_its_file_count():
    w = words("nl")
    expected = {"briefing.html": "a", "figures/a.svg": "b"}
    actual = {**expected, ".git/HEAD": "c", ".git/objects/ab/cd": "d", "figures/b.svg": "e"}
    assert differences(expected, actual, w) == ["figures/b.svg: extra", ".git/: extra map (2 bestand(en))"]


def test_verify_names_what_was_added_around_the_files_and_an_edited_manifest(built, cli, tmp_path):
    """One rerun: a file edited by hand, a hidden file, an empty folder, a symlink, a .git folder, an
    executable file and a changed manifest field are each named; before, verify passed on the last five."""
    copy = tmp_path / "2025"
    shutil.copytree(built.out_dir, copy)
    (copy / "tables" / "vertraagd_en_stopgezet.csv").write_bytes(b"handmatig aangepast\r\n")
    (copy / ".verborgen").write_text("x", encoding="utf-8")
    (copy / "leeg").mkdir()
    os.symlink("briefing.html", copy / "briefing-kopie.html")
    (copy / ".git" / "objects").mkdir(parents=True)
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (copy / "briefing.pdf").chmod(0o755)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["output"] = "2024"
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    result = cli("verify", copy, "--allow-other-versions")
    assert result.code == 1, result.err
    for line in (
        "tables/vertraagd_en_stopgezet.csv: verschilt",
        ".verborgen: extra",
        ".git/: extra map (1 bestand(en))",
        "leeg/: lege map",
        "briefing-kopie.html: symbolische link (naar briefing.html)",
        "briefing.pdf: rechten 0o755",
        "manifest.json: velden output zijn anders dan de herhaalde verwerking ze schrijft",
    ):
        assert line in result.err, (line, result.err)
    assert "Traceback" not in result.err
