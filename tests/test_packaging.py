"""The tool as others get it: the wheel and sdist carry what they need, the licence is the EUPL's
text, the locks pin every package with hashes and agree with each other, ``make`` lists its verbs,
and the wheel, installed into a new virtual environment, runs from an empty folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import DATE, ROOT, tree_bytes
from packaging.requirements import Requirement

from nap_analysis import __version__

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Files of the repository that an sdist has no use for (and .github/, the hosting's CI).
NOT_IN_SDIST = {".gitignore"}


def tracked_files() -> list[str]:
    """The repository's files as git has them (a checkout), else every file here (an unpacked sdist)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        return sorted(name for name in listed.decode("utf-8").split("\0") if name and (ROOT / name).is_file())
    skip = {".venv", "build", "dist", ".pytest_cache", ".hypothesis", "outputs"}
    found = (p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file())
    return sorted(
        p.as_posix()
        for p in found
        if p.parts[0] not in skip and "__pycache__" not in p.parts and not any(".egg-info" in s for s in p.parts)
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """The sdist and the wheel as ``python -m build`` makes them (the wheel built from the sdist),
    from a copy of the repository's files, so the build leaves nothing in the work tree."""
    source = tmp_path_factory.mktemp("source")
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next(out.glob("*.whl")), next(out.glob("*.tar.gz"))


def test_the_wheel_carries_the_package_its_data_notebooks_templates_and_the_licence(dists):
    wheel, _ = dists
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    info = f"nap_analysis-{__version__}.dist-info"
    expected = {}
    for name in tracked_files():
        if name.startswith("nap_analysis/"):
            expected[name] = name
        elif name.startswith(("data/", "notebooks/")):
            expected[f"nap_analysis/_bundled/{name}"] = name
    expected[f"{info}/licenses/LICENSE"] = "LICENSE"
    assert [name for name in expected if name not in members] == []
    assert [name for name, source in expected.items() if members[name] != (ROOT / source).read_bytes()] == []
    # nothing else but the wheel's own metadata
    assert sorted(set(members) - set(expected)) == sorted(
        f"{info}/{n}" for n in ("METADATA", "WHEEL", "RECORD", "entry_points.txt", "top_level.txt")
    )
    metadata = Parser().parsestr(members[f"{info}/METADATA"].decode("utf-8"))
    assert metadata["License-Expression"] == "EUPL-1.2" and metadata["License-File"] == "LICENSE"
    required = {Requirement(r).name for r in metadata.get_all("Requires-Dist") if "extra ==" not in r}
    assert required == {Requirement(r).name for r in PYPROJECT["project"]["dependencies"]}
    assert "nap-analysis = nap_analysis.cli:entry" in members[f"{info}/entry_points.txt"].decode("utf-8")


def test_every_subpackage_is_listed_for_the_wheel():
    """pyproject lists the packages by hand (two live outside nap_analysis/): none may be forgotten."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nap_analysis").rglob("__init__.py")}
    assert found - listed == set()


def test_the_sdist_carries_what_its_tests_need(dists):
    _, sdist = dists
    with tarfile.open(sdist) as archive:
        prefix = f"nap_analysis-{__version__}/"
        members = {m.name[len(prefix) :]: m for m in archive.getmembers() if m.isfile()}
        missing = [
            name
            for name in tracked_files()
            if name not in members and name not in NOT_IN_SDIST and not name.startswith(".github/")
        ]
        assert missing == []
        assert archive.extractfile(prefix + "LICENSE").read() == (ROOT / "LICENSE").read_bytes()
    assert {"tests/conftest.py", "tests/fixtures/small/activities.csv", "data/activities.csv", "Makefile"} <= set(
        members
    )


def read_lock(path: Path) -> dict[tuple[str, str], tuple[str, frozenset]]:
    """{(name, marker): (version, hashes)} of a lock made by ``uv pip compile --generate-hashes``."""
    entries, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        pin = re.match(r"^([A-Za-z0-9._-]+)==(\S+?)(?: ; (.+?))? \\$", line)
        if pin:
            name, version, marker = pin.groups()
            current = (re.sub(r"[-_.]+", "-", name).lower(), marker or "")
            assert current not in entries, f"{path.name}: {current} twice"
            entries[current] = (version, frozenset())
            continue
        digest = re.match(r"^\s+--hash=(sha256:[0-9a-f]{64})", line)
        if digest:
            version, hashes = entries[current]
            entries[current] = (version, hashes | {digest.group(1)})
        elif line.strip() and not line.lstrip().startswith("#"):
            pytest.fail(f"{path.name}: a line that is neither a pin, a hash nor a comment: {line!r}")
    return entries


def test_the_locks_pin_every_package_with_hashes_and_share_their_versions():
    runtime, test = read_lock(ROOT / "requirements.lock"), read_lock(ROOT / "requirements-test.lock")
    assert runtime and test
    assert [key for key, (_, hashes) in {**runtime, **test}.items() if not hashes] == []
    # the test lock is the runtime lock plus the test tools, at the same versions with the same hashes
    # (a marker may be wider there: colorama is also pytest's on Windows)
    in_test = {(name, pin) for (name, _), pin in test.items()}
    assert [(name, pin[0]) for (name, _), pin in runtime.items() if (name, pin) not in in_test] == []

    def pinned(lock, requirement: str) -> None:
        wanted = Requirement(requirement)
        name = re.sub(r"[-_.]+", "-", wanted.name).lower()
        versions = [version for (n, _), (version, _) in lock.items() if n == name]
        assert versions, f"{name} is not in the lock"
        assert all(wanted.specifier.contains(v, prereleases=True) for v in versions), (requirement, versions)

    for requirement in PYPROJECT["project"]["dependencies"] + PYPROJECT["build-system"]["requires"]:
        pinned(runtime, requirement)
    for requirement in PYPROJECT["project"]["optional-dependencies"]["test"]:
        pinned(test, requirement)
    # other platforms are in the locks too, not only this machine's
    markers = " ".join(marker for _, marker in test)
    assert "sys_platform == 'win32'" in markers and "sys_platform == 'darwin'" in markers


def test_make_lock_makes_the_locks_as_they_are():
    """The command in each lock's header is the one `make lock` runs, so remaking them changes nothing else."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    flags = re.search(
        r"^UV_COMPILE = \$\(BIN\)/uv pip compile --quiet (.+?) \\\n\s+(.+?) \$\(LOCK_ARGS\)", makefile, re.M
    )
    assert flags, "UV_COMPILE not found in the Makefile"
    options = f"{flags.group(1)} {flags.group(2)}"
    for lock in ("requirements.lock", "requirements-test.lock"):
        header = (ROOT / lock).read_text(encoding="utf-8").splitlines()[1]
        assert header.startswith(f"#    uv pip compile {options} pyproject.toml requirements.in"), header
        assert header.endswith(f"-o {lock}")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_alone_lists_every_verb():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    verbs = re.search(r"^\.PHONY: (.+)$", makefile, re.M).group(1).split()
    listed = subprocess.run(["make", "-s"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    described = re.findall(r"^([\w-]+): \S", listed.stdout, re.M)
    assert sorted(described) == sorted(verbs)
    assert [verb for verb in verbs if not re.search(rf"^{re.escape(verb)}:", makefile, re.M)] == []


# --------------------------------------------------------------------------- installed


@pytest.mark.install
def test_the_installed_wheel_runs_from_an_empty_folder(dists, built, tmp_path):
    """The wheel with the runtime lock into a new venv, through the README's install script; from an
    empty folder: run, init mine, run on mine: each a complete briefing, with the bytes of a run from
    the checkout."""
    wheel, _ = dists
    venv = tmp_path / "venv"
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "SOURCE_DATE_EPOCH")}
    env["PATH"] = os.pathsep.join([str(scripts), env.get("PATH", "")])
    install = [sys.executable, str(ROOT / "tools" / "install_lock.py"), str(ROOT / "requirements.lock")]
    done = subprocess.run(
        [*install, "--venv", str(venv), "--package", str(wheel)], env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    empty = tmp_path / "leeg"
    empty.mkdir()
    tool = shutil.which("nap-analysis", path=str(scripts))
    assert tool and Path(tool).parent == scripts

    def nap(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([tool, *args], cwd=empty, env=env, capture_output=True, text=True, timeout=900)

    version = nap("--version")
    assert version.returncode == 0 and version.stdout == f"nap-analysis {__version__}\n"
    bad_date = nap("run", "--date", "2025-02-30")
    assert bad_date.returncode == 2 and "'2025-02-30' is geen bestaande datum" in bad_date.stderr
    assert "Traceback" not in bad_date.stderr and not (empty / "outputs").exists()
    validate = nap("validate")
    assert validate.returncode == 0 and "Data in orde" in validate.stdout, validate.stderr

    first = nap("run", "--date", DATE)
    assert first.returncode == 0, first.stderr
    default = tree_bytes(empty / "outputs" / "2025")
    checkout = tree_bytes(built.out_dir)
    assert sorted(default) == sorted(checkout)  # a complete briefing, annexes, figures, tables, manifest
    # the same bytes as from the checkout; the manifest differs only in the commit, which an
    # installed package does not know
    assert [name for name in checkout if name != "manifest.json" and default[name] != checkout[name]] == []
    assert b'"git_commit": "unknown"' in default["manifest.json"]

    init = nap("init", "mine")
    assert init.returncode == 0, init.stderr
    assert "Gekopieerd om te bewerken" in init.stdout and "\n  cd mine\n  nap-analysis run" in init.stdout
    assert (empty / "mine" / "nap.toml").is_file()
    assert tree_bytes(empty / "mine" / "data") == tree_bytes(ROOT / "data")
    assert tree_bytes(empty / "mine" / "notebooks") == tree_bytes(ROOT / "notebooks")
    again = nap("init", "mine")
    assert again.returncode == 2 and "overschrijft niets" in again.stderr

    # HTML only: the first run showed that the installed package prints PDF and Word; this one, that
    # the copies init made compute the same (notebooks, figures, tables and every page, byte for byte)
    mine = nap(
        "run",
        "--data",
        "mine/data",
        "--notebooks",
        "mine/notebooks",
        "--out",
        "mijn uitvoer",
        "--date",
        DATE,
        "--to",
        "html",
    )
    assert mine.returncode == 0, mine.stderr
    made = {name: data for name, data in tree_bytes(empty / "mijn uitvoer" / "2025").items() if name != "manifest.json"}
    assert made == {n: b for n, b in default.items() if n != "manifest.json" and not n.endswith((".pdf", ".docx"))}
    # the runs used the installed package (not this checkout), and wrote nothing into it
    site = subprocess.run(
        [str(python), "-c", "import nap_analysis, pathlib; print(pathlib.Path(nap_analysis.__file__).parent)"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(site).is_relative_to(venv) and not (Path(site).parent / "outputs").exists()
    assert sorted(p.name for p in empty.iterdir()) == ["mijn uitvoer", "mine", "outputs"]
