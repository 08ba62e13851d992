"""`--to` (and `formats` in nap.toml): a run writes only the formats asked for, records them in the
manifest, `verify` reruns them and `bijlage` keeps to them; a format that does not exist is refused."""

from __future__ import annotations

import json

import pytest
from conftest import DATE, FIXTURES


def test_a_run_to_html_and_pdf_writes_records_and_verifies_only_those(cli, tmp_path):
    small = FIXTURES / "small"  # the formats do not depend on the data; its run and rerun cost ~70%
    result = cli("run", "--to", "pdf,html", "--data", small, "--out", tmp_path, "--date", DATE)
    assert result.code == 0, result.err
    folder = tmp_path / "2025"
    documents = {p.suffix for p in folder.iterdir() if p.is_file() and p.name != "manifest.json"}
    assert documents == {".html", ".pdf"}
    stems = {p.stem for p in folder.glob("*.pdf")}
    assert {p.stem for p in folder.glob("*.html")} == stems
    # the small fixture has no motions, so no Bijlage 2
    assert stems == {"briefing", "nota-bewindspersonen", "kamerbrief", "bijlage-1-activiteiten"}
    assert (folder / "tables" / "tabellen.xlsx").is_file()  # the writers' tables are no document format
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["formats"] == ["html", "pdf"]  # in the order of the formats, not as typed
    assert cli("verify", folder).code == 0
    assert cli("bijlage", "1", "--data", small, "--out", tmp_path).code == 0
    assert not list(folder.glob("*.docx"))


@pytest.mark.parametrize("value", ["htm", "", "pdf,,word", "PDF;html"])
def test_a_format_that_does_not_exist_is_refused_before_anything_starts(cli, tmp_path, value):
    result = cli("run", "--to", value, "--out", tmp_path / "out")
    assert result.code == 2 and "--to" in result.err and "html, pdf, docx" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "out").exists()


def test_the_project_file_chooses_the_formats_and_the_flag_wins(cli, tmp_path, monkeypatch):
    from nap_analysis.pipeline.project import find

    (tmp_path / "nap.toml").write_text('formats = ["docx", "html"]\n', encoding="utf-8")
    assert find(tmp_path).values["formats"] == ["html", "docx"]
    (tmp_path / "nap.toml").write_text('formats = ["odt"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    refused = cli("config")
    assert refused.code == 2 and "nap.toml:1: formats = ['odt'] is niet geldig" in refused.err


def test_quiet_says_nothing_but_errors_and_verbose_times_every_step(tmp_path):
    """As CI reads them: a real process, its standard output and standard error apart."""
    import subprocess
    import sys

    from conftest import ROOT

    def nap(*args):
        return subprocess.run(
            [sys.executable, "-m", "nap_analysis.cli", *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )

    quiet = nap("run", "--quiet", "--to", "html", "--out", tmp_path / "q", "--date", DATE)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", ""), (quiet.returncode, quiet.stdout, quiet.stderr)
    assert (tmp_path / "q" / "2025" / "briefing.html").is_file()
    loud = nap("run", "--verbose", "--to", "html", "--out", tmp_path / "v", "--date", DATE, "--lang", "en")
    steps = [line for line in loud.stderr.splitlines() if line.startswith("[")]
    assert loud.returncode == 0 and len(steps) == 13, loud.stderr
    assert all(line.endswith(" s in all)") and ": " in line for line in steps)
    assert "] briefing.html: " in loud.stderr and ".pdf" not in loud.stderr  # the formats it wrote, no others
    silent, said = nap("validate", "-q"), nap("validate")
    assert (silent.returncode, silent.stdout, silent.stderr) == (0, "", ""), (silent.stdout, silent.stderr)
    assert said.returncode == 0 and said.stdout.startswith("Data in orde"), (said.stdout, said.stderr)
    refused = nap("validate", "-q", "-v")
    assert refused.returncode == 2 and "-q/--quiet" in refused.stderr and "Traceback" not in refused.stderr
    # an error still gets through --quiet, on standard error
    broken = nap("validate", "-q", "--data", tmp_path / "nowhere")
    assert broken.returncode == 2 and broken.stdout == "" and "nowhere" in broken.stderr
