"""Portable by construction: a run without the Linux-only parts gives the same bytes, in folders
whose names have spaces and accents; and every run speaks one language on the terminal,
argparse's own texts included.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED, DATE, FIXTURES, ROOT, tree_bytes

from nap_analysis.cli import COMMANDS
from nap_analysis.words import CATALOGUES, words
from nap_analysis.words.argparse_messages import ARGPARSE_MESSAGES

# A sitecustomize for the fallback run: every Python process of the run (the command and its
# kernels, which inherit PYTHONPATH) starts as on a platform without fcntl and os.fork, and
# writes down what it saw, so the test can tell that the fallbacks were really taken.
PROBE = """
import atexit, json, os, sys

sys.modules["fcntl"] = None  # "import fcntl" raises ImportError, as on Windows
for _name in ("fork", "forkpty", "register_at_fork"):
    if hasattr(os, _name):
        delattr(os, _name)

_record = {"pid": os.getpid(), "argv": sys.argv, "fork": hasattr(os, "fork")}
try:
    import fcntl  # noqa: F401
    _record["fcntl"] = True
except ImportError:
    _record["fcntl"] = False
if "-f" in sys.argv:  # a kernel: its connection file names the transport
    try:
        with open(sys.argv[sys.argv.index("-f") + 1], encoding="utf-8") as _file:
            _record["transport"] = json.load(_file)["transport"]
    except (OSError, ValueError, IndexError, KeyError):
        _record["transport"] = None
_folder = os.environ["NAP_TEST_PROBE"]
with open(os.path.join(_folder, f"{os.getpid()}-start.json"), "w", encoding="utf-8") as _file:
    json.dump(_record, _file)


def _at_exit():
    lock = sys.modules.get("filelock")
    with open(os.path.join(_folder, f"{os.getpid()}-exit.json"), "w", encoding="utf-8") as file:
        json.dump({"filelock": lock.FileLock.__name__ if lock else None}, file)


atexit.register(_at_exit)
"""

#: Words that are Dutch and nothing else: each is in the Dutch catalogue and in no English text
#: (test_the_dutch_words_are_dutch_only checks both), so one on an English terminal is a leak.
DUTCH_TEXT = """
het een van niet geen voor naar wordt zijn deze bij klaar bestanden figuren tabellen fout gebruik opdracht
opdrachten opties argumenten uitvoer onderbroken meegeleverde verslagjaar standaard moties toezeggingen
activiteiten kies bedoelde ontbreken onbekende datum jaar taal talen bewerken gekopieerd uw
"""
DUTCH = tuple(DUTCH_TEXT.split())
#: argparse's own English, which a Dutch run must not show.
ARGPARSE_ENGLISH = (
    "usage:",
    "error:",
    "show this help message",
    "show program's version",
    "positional arguments",
    "options:",
    "invalid choice",
    "choose from",
    "arguments are required",
    "unrecognized arguments",
    "expected one argument",
    "expected at least one",
    "ambiguous option",
    "invalid int value",
    "ignored explicit argument",
    "argument ",
)
#: File names (Dutch in every language: the README names them) and paths are not words.
NOT_WORDS = re.compile(r"\S+\.(?:ipynb|html|pdf|docx|csv|xlsx|json)\b|(?:[A-Za-z]:)?[/\\]\S+")


def dutch_words_in(text: str) -> list[str]:
    """The Dutch words of ``text``, file names and paths left out."""
    tokens = re.findall(r"[a-zà-ÿ]+", NOT_WORDS.sub(" ", text.lower()))
    return sorted({t for t in tokens if t in DUTCH})


# --------------------------------------------------------------------------- the fallback run


@pytest.fixture(scope="module")
def fallback_run(tmp_path_factory):
    """``nap-analysis run --year 2024 --lang en`` as a new process with fcntl, os.fork and ipc
    unavailable, data, notebooks, outputs and temporary files in folders named with spaces and
    accents. Returns (completed process, output folder, probe records)."""
    base = tmp_path_factory.mktemp("portable")
    data = base / "gegevens met spatie ë"
    notebooks = base / "notitieboeken ü"
    out = base / "uitvoer é ø"
    temp = base / "tijdelijk å"
    probe, records = base / "probe", base / "records"
    for folder in (temp, probe, records):
        folder.mkdir()
    shutil.copytree(BUNDLED, data)
    shutil.copytree(ROOT / "notebooks", notebooks)
    (probe / "sitecustomize.py").write_text(PROBE, encoding="utf-8")
    env = {
        **os.environ,
        "NAP_TRANSPORT": "tcp",
        "PYTHONPATH": os.pathsep.join([str(probe), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "NAP_TEST_PROBE": str(records),
        "PYTHONIOENCODING": "utf-8",  # what the test decodes; a Windows pipe would otherwise be cp1252
        "TMPDIR": str(temp),
        "TEMP": str(temp),
        "TMP": str(temp),
    }
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nap_analysis.cli",
            "run",
            "--year",
            "2024",
            "--lang",
            "en",
            "--date",
            DATE,
            "--data",
            str(data),
            "--notebooks",
            str(notebooks),
            "--out",
            str(out),
        ],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    found = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in records.glob("*.json")}
    return done, out / "2024-en", found


def test_fallback_run_gives_the_bytes_of_the_default_run(fallback_run, built_en):
    done, out, records = fallback_run
    assert done.returncode == 0, done.stderr
    starts = [r for name, r in records.items() if name.endswith("-start.json")]
    kernels = [r for r in starts if "transport" in r]
    # the fallbacks were in force in every process: no fcntl, no fork, kernels on tcp, a soft lock
    assert starts and all(r["fcntl"] is False and r["fork"] is False for r in starts)
    assert kernels and all(r["transport"] == "tcp" for r in kernels), kernels
    command = [r for r in starts if "--notebooks" in r["argv"]]
    assert len(command) == 1 and len(starts) == 1 + len(kernels)  # nothing else ran Python
    assert records[f"{command[0]['pid']}-exit.json"]["filelock"] == "SoftFileLock"
    # and the outputs are byte for byte those of the default run (ipc, fcntl lock, plain paths)
    expected, got = tree_bytes(built_en.out_dir), tree_bytes(out)
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []


def test_an_english_run_prints_no_dutch_on_the_terminal(fallback_run):
    done, out, _ = fallback_run
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) >= 10  # one line per step and the closing line: there is something to read
    leaks = [(line, dutch_words_in(line)) for line in lines if dutch_words_in(line)]
    assert leaks == []
    assert done.stdout.startswith("Done: ") and str(out) in done.stdout


def test_the_dutch_words_are_dutch_only():
    """The list above finds Dutch: each word is in Dutch texts and in no English one."""

    def texts(language):
        for value in CATALOGUES[language].values():
            yield from (value if isinstance(value, list) else [value])

    dutch = " ".join(t for t in texts("nl") if isinstance(t, str)).lower()
    english = " ".join(t for t in texts("en") if isinstance(t, str)).lower()
    english_tokens = set(re.findall(r"[a-zà-ÿ]+", NOT_WORDS.sub(" ", english)))
    assert [w for w in DUTCH if not re.search(rf"\b{w}\b", dutch)] == []
    assert sorted(set(DUTCH) & english_tokens) == []
    # and it finds them on a Dutch line, past the path and the file name
    line = words("nl")("cli.done", folder="/tmp/uitvoer/2025", n=50, seconds="21.0") + " 05_statistiek.ipynb"
    assert dutch_words_in(line) == ["bestanden", "klaar"]


# --------------------------------------------------------------------------- argparse in the run's language


def test_every_argparse_message_we_translate_is_one_this_python_has():
    """The msgids error() matches are argparse's own; a Python that changes one fails here."""
    source = inspect.getsource(argparse)
    missing = [msgid for msgid, _ in ARGPARSE_MESSAGES if f"'{msgid}'" not in source and f'"{msgid}"' not in source]
    assert missing == []


ERRORS = [
    ((), "deze argumenten ontbreken: OPDRACHT"),
    (("rnu",), "'rnu' is geen keuze (kies uit validate, progress, flags, indicators, run, init,"),
    (("vaildate",), "; bedoelde u 'validate'?"),
    (("progress", "--format", "csv_en"), "bedoelde u 'csv-en'?"),
    (("run", "--jobs", "twee"), "bij --jobs: 'twee' is geen geheel getal"),
    (("run", "--data"), "bij --data: hier hoort één waarde bij"),
    (("run", "--year"), "bij --year: hier hoort minstens één waarde bij"),
    (("run", "--da", "x"), "--da kan meer opties zijn: --data, --date"),
    (("progress", "--yaer", "2025"), "onbekende argumenten: --yaer 2025; bedoelde u '--year'?"),
    (("template", "--year", "2026"), "deze argumenten ontbreken: --out"),
    (("verify", "--allow-other-versions=ja", "o"), "deze optie neemt geen waarde (gegeven: ja)"),
    (("bijlage", "3"), "bij NUMMER: '3' is geen keuze (kies uit 1, 2)"),
]


@pytest.mark.parametrize(("argv", "expected"), ERRORS)
def test_argparse_errors_are_in_dutch_by_default(cli, argv, expected):
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith("gebruik: nap-analysis") and "fout: " in result.err
    assert expected in result.err
    assert [phrase for phrase in ARGPARSE_ENGLISH if phrase in result.err] == []


@pytest.mark.parametrize(("argv", "expected"), ERRORS[1:])
def test_argparse_errors_are_in_english_with_lang_en(cli, argv, expected):
    result = cli(*argv, "--lang", "en")
    assert result.code == 2
    assert result.err.startswith("usage: nap-analysis") and "error: " in result.err
    assert dutch_words_in(result.err) == []


def test_a_mistyped_command_gets_a_suggestion_in_both_languages(cli):
    assert "did you mean 'template'?" in cli("tempalte", "--lang", "en").err
    assert "bedoelde u 'bijlage'?" in cli("bijlagen").err
    assert "bedoelde u" not in cli("zzz").err  # nothing close: no guess


def _locale(monkeypatch, value: str) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", value)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_in_one_language(cli, command, monkeypatch):
    _locale(monkeypatch, "nl_NL.UTF-8")
    argv = [command] if command else []
    dutch = cli(*argv, "--help")
    english = cli(*argv, "--help", "--lang", "en")
    assert dutch.code == 0 and english.code == 0
    assert dutch.out.startswith("gebruik: nap-analysis") and "toon deze hulp en stop" in dutch.out
    assert [phrase for phrase in ARGPARSE_ENGLISH if phrase in dutch.out] == []
    assert english.out.startswith("usage: nap-analysis") and "show this help and exit" in english.out
    assert dutch_words_in(english.out) == []


@pytest.mark.parametrize("command", [None, "run"])
def test_help_follows_an_english_locale_until_lang_says_otherwise(cli, command, monkeypatch):
    argv = [command] if command else []
    _locale(monkeypatch, "en_GB.UTF-8")
    assert cli(*argv, "--help").out.startswith("usage: nap-analysis")
    assert cli(*argv, "--help", "--lang", "nl").out.startswith("gebruik: nap-analysis")
    monkeypatch.setenv("LC_ALL", "nl_NL.UTF-8")  # LC_ALL before LANG, as POSIX orders them
    assert cli(*argv, "--help").out.startswith("gebruik: nap-analysis")
    _locale(monkeypatch, "C.UTF-8")  # no language: Dutch, the tool's default
    assert cli(*argv, "--help").out.startswith("gebruik: nap-analysis")
    # only the help: a message of a command without --lang stays Dutch, whatever the locale
    _locale(monkeypatch, "en_US.UTF-8")
    assert cli("bijlage", "3").err.startswith("gebruik: nap-analysis")


def test_lang_before_the_command_holds_for_help_and_for_the_command_unless_it_has_its_own(cli):
    assert cli("--lang", "en", "--help").out.startswith("usage: nap-analysis")
    assert cli("--lang", "en", "validate").out.startswith("Data fine")
    assert cli("--lang", "en", "validate", "--lang", "nl").out.startswith("Data in orde")
    assert cli("--lang=en", "progress", "--year", "2025").out.startswith("Progress per action line")


def test_version_prints_the_version(cli):
    from nap_analysis import __version__

    result = cli("--version")
    assert result.code == 0 and result.out == f"nap-analysis {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "25-02-01", "1999-12-31"])
def test_impossible_dates_exit_2_with_a_message(cli, value, tmp_path):
    result = cli("run", "--date", value, "--out", tmp_path / "out")
    assert result.code == 2 and f"'{value}'" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()
    english = cli("run", "--date", value, "--lang", "en", "--out", tmp_path / "out")
    assert english.code == 2 and f"'{value}'" in english.err and dutch_words_in(english.err) == []


# --------------------------------------------------------------------------- init and the default folders


def test_init_copies_data_and_notebooks_to_edit_and_says_so(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("init", "mijn map")
    assert result.code == 0, result.err
    mine = tmp_path / "mijn map"
    assert tree_bytes(mine / "data") == tree_bytes(BUNDLED)
    assert tree_bytes(mine / "notebooks") == tree_bytes(ROOT / "notebooks")
    notebooks = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert "Gekopieerd om te bewerken" in result.out and f"{notebooks} notebooks" in result.out
    # the folder is a project: its nap.toml names the copies, and the suggested lines work as they are
    assert 'data = "data"' in (mine / "nap.toml").read_text(encoding="utf-8")
    assert '\n  cd "mijn map"\n  nap-analysis run' in result.out


def test_init_refuses_to_overwrite(cli, tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_mine.ipynb").write_text("{}", encoding="utf-8")
    before = tree_bytes(tmp_path)
    dutch = cli("init", tmp_path)
    english = cli("init", tmp_path, "--lang", "en")
    assert dutch.code == 2 and "overschrijft niets" in dutch.err and str(tmp_path / "notebooks") in dutch.err
    assert english.code == 2 and "overwrites nothing" in english.err and dutch_words_in(english.err) == []
    assert tree_bytes(tmp_path) == before and not (tmp_path / "data").exists()
    (tmp_path / "a file").write_text("x", encoding="utf-8")
    assert cli("init", tmp_path / "a file").code == 2
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "nap.toml").write_text('data = "mine"\n', encoding="utf-8")
    refused = cli("init", tmp_path / "other")
    assert refused.code == 2 and "nap.toml" in refused.err and not (tmp_path / "other" / "data").exists()


def test_init_copies_are_writable_when_the_installation_is_read_only(tmp_path, monkeypatch):
    """A system-wide install is read-only; the researcher's copies must be editable all the same."""
    from nap_analysis import resources

    source = tmp_path / "installed"
    shutil.copytree(FIXTURES / "small", source / "data")
    shutil.copytree(ROOT / "notebooks", source / "notebooks")
    for path in sorted(source.rglob("*"), reverse=True):
        path.chmod(stat.S_IRUSR | (stat.S_IXUSR if path.is_dir() else 0))
    monkeypatch.setattr(resources, "data_dir", lambda: source / "data")
    monkeypatch.setattr(resources, "notebooks_dir", lambda: source / "notebooks")
    try:
        data, notebooks = resources.copy_for_editing(tmp_path / "mine")
        assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in (FIXTURES / "small").iterdir())
        for path in [data, notebooks, *data.iterdir(), *notebooks.iterdir()]:
            assert path.stat().st_mode & stat.S_IWUSR, path  # the mode bit: root may write anything
    finally:
        for path in source.rglob("*"):
            path.chmod(stat.S_IRWXU)


def _project(cli, tmp_path, monkeypatch, *extra: str) -> Path:
    """`nap-analysis init` in tmp_path/mijn-analyse, lines added to its nap.toml, and cd there."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", "mijn-analyse").code == 0
    project = tmp_path / "mijn-analyse"
    with (project / "nap.toml").open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in extra)
    monkeypatch.chdir(project)
    return project


def test_a_project_runs_with_no_flags_and_writes_only_inside_itself(cli, tmp_path, monkeypatch):
    """init, cd, run: the project's own data and notebooks, its own outputs/; the repository's
    outputs/ untouched (an editable install once wrote there)."""
    # HTML only, as the project file says (what is checked is where data and outputs are; and that
    # the project file's formats reach a real run)
    project = _project(cli, tmp_path, monkeypatch, 'formats = ["html"]')
    activities = project / "data" / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("A10,2025"))
    activities.write_text(text.replace(old, old.replace("mede omdat", "mede omdat (eigen projectdata)")), "utf-8")
    repository = tree_bytes(ROOT / "outputs")
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")  # found from a folder below the project too
    result = cli("run", "--date", DATE)
    assert result.code == 0, result.err
    assert not list((project / "outputs" / "2025").glob("*.pdf")) and not list(
        (project / "outputs" / "2025").glob("*.docx")
    )
    annex = project / "outputs" / "2025" / "bijlage-1-activiteiten.html"
    assert "(eigen projectdata)" in annex.read_text(encoding="utf-8")
    assert not (project / "sub" / "outputs").exists() and tree_bytes(ROOT / "outputs") == repository


def test_config_says_what_is_in_force_and_where_it_came_from_and_flags_win(cli, tmp_path, monkeypatch):
    project = _project(cli, tmp_path, monkeypatch, "years = [2024]", 'languages = ["en"]')
    shown = cli("config")
    assert shown.code == 0 and shown.out.startswith(
        f"Project: {project / 'nap.toml'}"
    )  # English: the project's language
    lines = {line.split()[0]: line for line in shown.out.splitlines()[1:]}
    written = (project / "nap.toml").read_text(encoding="utf-8").splitlines()
    at = {line.split("=")[0].strip(): n for n, line in enumerate(written, start=1) if not line.startswith("#")}
    assert f"{project / 'data'}  ({project / 'nap.toml'}:{at['data']})" in lines["data"]
    assert "2024" in lines["years"] and f"nap.toml:{at['years']})" in lines["years"] and "en  (" in lines["languages"]
    # progress takes the project's year and language; a flag overrides each
    assert "2024" in cli("progress").out and "2025" in cli("progress", "--year", "2025").out
    english, dutch = cli("validate").out, cli("validate", "--lang", "nl").out
    assert english.startswith("Data fine") and dutch.startswith("Data in orde")
    assert "settings: 1 row," in english and "settings: 1 rij," in dutch  # one row, not "1 rows"
    assert str(BUNDLED) in cli("validate", "--data", BUNDLED, "--lang", "nl").out
    monkeypatch.chdir(tmp_path)  # outside the project: the defaults again
    assert "standaard" in cli("config").out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('datta = "data"', "nap.toml:1: de instelling 'datta' bestaat niet (wel: data, notebooks"),
        ('years = ["2025"]', "nap.toml:1: years = ['2025'] is niet geldig"),
        ("years = 2025", "nap.toml:1: years = 2025 is niet geldig"),
        ("years = [25]", "nap.toml:1: years = [25] is niet geldig"),
        ('languages = ["de"]', "nap.toml:1: languages = ['de'] is niet geldig"),
        ("data = ", "nap.toml is geen geldig TOML-bestand: Invalid value (at line 1, column 8)"),
        ("data = 'x'\ndata = 'y'", "nap.toml is geen geldig TOML-bestand"),
    ],
)
def test_a_bad_project_file_is_one_line_naming_file_and_setting(cli, tmp_path, monkeypatch, content, expected):
    (tmp_path / "nap.toml").write_text(content + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("validate")
    assert result.code == 2 and expected in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_pyproject_with_a_tool_table_is_a_project_and_one_without_is_not(cli, tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "small", tmp_path / "eigen-data")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert "standaard" in cli("config").out
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.nap-analysis]\ndata = "eigen-data"\n')
    assert str(tmp_path / "eigen-data") in cli("validate").out


def test_outside_a_checkout_the_outputs_go_to_the_current_folder(tmp_path, monkeypatch):
    from nap_analysis import resources

    assert resources.checkout() == ROOT and resources.outputs_dir() == ROOT / "outputs"
    monkeypatch.setattr(resources, "ROOT", tmp_path / "site-packages")
    monkeypatch.chdir(tmp_path)
    assert resources.checkout() is None
    assert resources.outputs_dir() == tmp_path / "outputs"


@pytest.mark.parametrize("choices", ["'validate', 'run', 'verify'", "validate, run, verify"])
def test_both_ways_python_writes_choices_are_translated(choices):
    """Older Pythons (3.11, 3.13.0) quote the choices, newer ones do not: both read the same."""
    from nap_analysis.words.argparse_messages import translate_argparse

    message = f"argument OPDRACHT: invalid choice: 'rnu' (choose from {choices})"
    assert translate_argparse(message, words("nl")) == (
        "bij OPDRACHT: 'rnu' is geen keuze (kies uit validate, run, verify); bedoelde u 'run'?"
    )
