"""The command line: exit codes, CSV shapes and messages without tracebacks."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
from conftest import BUNDLED, FIXTURES, ROOT


def test_validate_ok(cli):
    result = cli("validate", "--data", FIXTURES / "small")
    assert result.code == 0, result.err
    assert "Data in orde" in result.out and "motions ontbreekt" in result.out


def test_progress_csv_small(cli):
    result = cli("progress", "--data", FIXTURES / "small", "--year", "2025", "--format", "csv")
    assert result.code == 0, result.err
    # the dialect of tables/: ';' and a decimal comma, so Dutch Excel opens it as it is
    table = pd.read_csv(io.StringIO(result.out), sep=";", decimal=",", dtype={"actielijn": str})
    assert list(table.columns) == ["actielijn", "status", "n", "share"]
    assert table.groupby("actielijn")["share"].sum().round(9).eq(1).all()
    assert table[table.actielijn == "total"].set_index("status")["n"].to_dict() == {
        "completed": 1,
        "in_progress": 2,
        "delayed": 2,
        "stopped": 1,
        "not_started": 0,
    }


def test_flags_csv_small_defaults_to_latest_year(cli):
    result = cli("flags", "--data", FIXTURES / "small", "--format", "csv-en")
    table = pd.read_csv(io.StringIO(result.out))
    assert list(table.columns) == ["activity_id", "actielijn", "title", "status", "flag", "explanation"]
    assert ("A3", "newly_stopped") in set(zip(table.activity_id, table.flag))


def test_unknown_year_is_a_usage_error(cli):
    result = cli("progress", "--data", FIXTURES / "small", "--year", "2019")
    assert result.code == 2 and "verslagjaar 2019 staat niet in activities.csv (wel: 2024, 2025)" in result.err
    english = cli("progress", "--data", FIXTURES / "small", "--year", "2019", "--lang", "en")
    assert english.code == 2 and "report year 2019 is not in activities.csv (it has: 2024, 2025)" in english.err


def test_bad_data_exit_2_without_traceback(small_copy):
    acts = small_copy / "activities.csv"
    acts.write_text(acts.read_text().replace("stopgezet", "stopgezett").replace("A5;2025;3;", "A5;2025;0;"))
    proc = subprocess.run(
        [sys.executable, "-m", "nap_analysis.cli", "validate", "--data", str(small_copy)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert (
        "activities.csv, rij 10, kolom 'status': onbekende status 'stopgezett'; bedoelt u 'stopgezet'?" in proc.stderr
    )
    assert "activities.csv, rij 12, kolom 'actielijn': 0 valt buiten het toegestane bereik" in proc.stderr


def test_bundled_progress_matches_activities_csv(cli):
    """The Done-when check: counts printed equal a plain count of the CSV file."""
    result = cli("progress", "--year", "2025", "--format", "csv-en")
    assert result.code == 0, result.err
    printed = pd.read_csv(io.StringIO(result.out), dtype={"actielijn": str})
    raw = pd.read_csv(BUNDLED / "activities.csv", dtype=str)
    raw = raw[raw.report_year == "2025"]
    by_hand = raw.groupby(["actielijn", "status"]).size()
    for (line, status), n in by_hand.items():
        assert printed[(printed.actielijn == line) & (printed.status == status)]["n"].item() == n
    assert printed[printed.actielijn == "total"]["n"].sum() == len(raw)


def test_bundled_flags_subsidy_norm_newly_stopped(cli):
    result = cli("flags", "--year", "2025", "--format", "csv-en")
    table = pd.read_csv(io.StringIO(result.out))
    stopped = table[table.flag == "newly_stopped"]
    assert stopped["title"].str.contains("subsidie", case=False).any()


def test_help_is_fast_and_lazy():
    code = "import sys, nap_analysis.cli; assert 'pandas' not in sys.modules, 'pandas imported at start-up'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_progress_and_flags_say_on_stderr_how_many_statuses_are_not_stated(cli):
    raw = pd.read_csv(BUNDLED / "activities.csv", dtype=str)
    basis = raw[raw.report_year == "2025"]["status_basis"].value_counts()
    for command in ("progress", "flags"):
        result = cli(command, "--year", "2025", "--format", "csv")
        assert result.code == 0
        assert f"illustratief {basis['illustrative']}" in result.err
        assert f"afgeleid uit openbare feiten {basis['inferred']}" in result.err
        assert "illustratief" not in result.out  # stdout stays clean CSV


def test_csv_on_standard_output_neutralises_formulas_and_terminal_escapes(cli, small_copy):
    """A terminal escape (ESC) in the data is refused when read, named, never sent to the terminal;
    a right-to-left override (text, allowed) is written out on the terminal."""
    acts = small_copy / "activities.csv"
    original = acts.read_text(encoding="utf-8")
    acts.write_text(original.replace("Nieuw en al vertraagd", "\x1b[31mrood\x1b[0m"), encoding="utf-8")
    refused = cli("flags", "--data", small_copy, "--format", "csv")
    assert refused.code == 2 and "\x1b" not in refused.err
    assert (
        "rij 13, kolom 'explanation': '\\u001b[31mrood\\u001b[0m' bevat het onzichtbare stuurteken U+001B ESCAPE"
        in (refused.err)
    )
    acts.write_text(
        original.replace("A7;2025;3;Zevende;", 'A7;2025;3;=HYPERLINK("x");').replace(
            "Nieuw en al vertraagd", "\u202erood"
        ),
        encoding="utf-8",
    )
    result = cli("flags", "--data", small_copy, "--format", "csv")
    assert result.code == 0, result.err
    assert "'=HYPERLINK" in result.out and "\n=HYPERLINK" not in result.out and ";=HYPERLINK" not in result.out
    assert "\u202e" not in result.out and "\\x202e" in result.out
    table = cli("flags", "--data", small_copy)
    assert "\u202e" not in table.out


def test_version_and_english_messages(cli):
    import pytest

    from nap_analysis import __version__

    with pytest.raises(SystemExit):
        from nap_analysis.cli import main

        main(["--version"])
    english = cli("validate", "--data", FIXTURES / "small", "--lang", "en")
    assert english.code == 0 and english.out.startswith("Data fine") and "Let op" not in english.out
    assert __version__


def _command(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "nap_analysis.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_a_matplotlib_backend_that_does_not_exist_is_one_line_and_exit_2(tmp_path):
    """matplotlib raises when it is imported with an unknown MPLBACKEND (here and in every kernel)."""
    for value in ("nonexistent", "module://no_such_module"):
        for args in (("bijlage", "1", "--out", str(tmp_path / "out")), ("validate",)):
            proc = _command(*args, env={"MPLBACKEND": value})
            assert proc.returncode == 2, proc.stderr
            assert "Traceback" not in proc.stderr
            assert f"omgevingsvariabele MPLBACKEND='{value}' is niet geldig" in proc.stderr
    assert not (tmp_path / "out").exists()
    proc = _command("validate", env={"MPLBACKEND": "agg"})
    assert proc.returncode == 0, proc.stderr


def test_a_pango_that_loads_but_lacks_functions_is_named_not_a_traceback(tmp_path):
    """A library named like Pango that has none of its functions (a broken or wrong install):
    cffi raises AttributeError when WeasyPrint looks a function up."""
    import shutil

    import pytest

    if shutil.which("gcc") is None or sys.platform != "linux":
        pytest.skip("needs gcc on Linux to build a library without Pango's functions")
    (tmp_path / "empty.c").write_text("int nap_not_pango = 1;\n")
    for name in ("libpango-1.0.so.0", "libpangoft2-1.0.so.0"):
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / name), str(tmp_path / "empty.c")], check=True)
    proc = _command("bijlage", "1", "--out", str(tmp_path / "out"), env={"LD_LIBRARY_PATH": str(tmp_path)})
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2  # a bad environment, as with Pango missing
    assert "vindt de systeembibliotheek Pango niet (function/symbol 'pango_" in proc.stderr
