"""The install route of the README (tools/install_lock.py) against the future: a wheelhouse that offers
a *newer* release of a locked package which another locked package asks for with an extra (the
situation in which fonttools 4.69.1 broke every fresh install), installed with the pip that
``python -m venv`` brings and with the oldest pip the README promises; the check of the installed
set catches what ``pip check`` does not; and the documented routes all go through the script.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from conftest import ROOT

INSTALL = ROOT / "tools" / "install_lock.py"
#: The oldest pip the README promises (Debian 12's python3 -m venv brings 23.0).
OLDEST_PIP = "23.0.1"


def make_wheel(folder: Path, name: str, version: str, requires=(), extras=None) -> Path:
    """A minimal pure-Python wheel with the given Requires-Dist lines (stdlib only)."""
    dist = f"{name}-{version}"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    for extra, needs in (extras or {}).items():
        meta += f"Provides-Extra: {extra}\n" + "".join(f'Requires-Dist: {r}; extra == "{extra}"\n' for r in needs)
    files = {
        f"{name}/__init__.py": f"__version__ = {version!r}\n",
        f"{dist}.dist-info/METADATA": meta,
        f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }

    def digest(text: str) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()

    record = "".join(f"{path},sha256={digest(text)},{len(text.encode())}\n" for path, text in files.items())
    files[f"{dist}.dist-info/RECORD"] = record + f"{dist}.dist-info/RECORD,,\n"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def pinned(path: Path) -> str:
    name, version = path.name.split("-")[:2]
    return f"{name}=={version} \\\n    --hash=sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}\n"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    """alpha 1.0 needs beta[woff]; beta 1.0 is locked and 2.0 is on offer too; the extra needs gamma.
    packaging (the real wheel, at the runtime lock's version) is there for the script's own check."""
    house = tmp_path_factory.mktemp("wheelhouse")
    alpha = make_wheel(house, "alpha", "1.0", ["beta[woff]>=1.0"])
    beta = make_wheel(house, "beta", "1.0", extras={"woff": ["gamma>=1"]})
    make_wheel(house, "beta", "2.0", extras={"woff": ["gamma>=1"]})  # released after the lock was made
    gamma = make_wheel(house, "gamma", "1.0")
    locked = re.search(r"^packaging==(\S+)", (ROOT / "requirements.lock").read_text(encoding="utf-8"), re.M)
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        + ["--dest", str(house), f"packaging=={locked.group(1)}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert download.returncode == 0, download.stderr
    packaging = next(house.glob("packaging-*.whl"))
    full = house / "lock.txt"
    full.write_text("".join(pinned(p) for p in (alpha, beta, gamma, packaging)), encoding="utf-8")
    without_gamma = house / "lock-without-gamma.txt"
    without_gamma.write_text("".join(pinned(p) for p in (alpha, beta, packaging)), encoding="utf-8")
    return house


def isolated_env() -> dict[str, str]:
    """No pip configuration of this machine (its find-links, indexes, constraints): only the wheelhouse."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def python_of(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install(lock: Path, venv: Path, house: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(INSTALL), str(lock), "--venv", str(venv), "--no-package"]
        + ["--", "--no-index", "--find-links", str(house)],
        env=isolated_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def installed(venv: Path) -> dict[str, str]:
    code = "import importlib.metadata as m\nfor d in m.distributions(): print(d.metadata['Name'], d.version)"
    done = subprocess.run([str(python_of(venv)), "-c", code], capture_output=True, text=True, check=True)
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def pip_version(venv: Path) -> str:
    return installed(venv)["pip"]


@pytest.mark.parametrize("pip", ["bundled", OLDEST_PIP])
def test_a_newer_release_on_the_index_does_not_come_in_through_an_extra(wheelhouse, tmp_path, pip):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=isolated_env(), timeout=300)
    if pip != "bundled":  # the oldest pip the README promises, fetched from the package index
        piphouse = tmp_path / "pip"
        for args in (
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(piphouse), f"pip=={pip}"],
            [str(python_of(venv)), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(piphouse)]
            + [f"pip=={pip}"],
        ):
            done = subprocess.run(args, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
    used = pip_version(venv)
    assert pip == "bundled" or used == pip
    lock = wheelhouse / "lock.txt"

    # the route the README used until now fails here, as it did on a fresh machine
    plain = subprocess.run(
        [str(python_of(venv)), "-m", "pip", "install", "--require-hashes", "-r", str(lock)]
        + ["--no-index", "--find-links", str(wheelhouse)],
        env=isolated_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if tuple(int(p) for p in used.split(".")[:2]) <= (23, 2):  # the pips of Python 3.11 that were seen failing
        assert plain.returncode != 0 and "must have their versions pinned" in plain.stderr, plain.stdout
    subprocess.run([str(python_of(venv)), "-m", "pip", "uninstall", "--yes", "--quiet", "alpha", "beta", "gamma"])

    done = install(lock, venv, wheelhouse)
    assert done.returncode == 0, done.stdout + done.stderr
    versions = installed(venv)
    assert {name: versions.get(name) for name in ("alpha", "beta", "gamma")} == {
        "alpha": "1.0",
        "beta": "1.0",
        "gamma": "1.0",
    }
    assert pip_version(venv) == used  # the install used that pip and did not upgrade it
    # it says what it does, step by step, and ends with what it installed
    steps = [line[:5] for line in done.stdout.splitlines() if line.startswith("[")]
    assert steps == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert f"with pip {used}:" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("Installed in ")


def test_a_missing_dependency_of_an_extra_stops_the_install(wheelhouse, tmp_path):
    """pip check passes here (it skips the dependencies of extras); the script's own check does not."""
    venv = tmp_path / "venv"
    done = install(wheelhouse / "lock-without-gamma.txt", venv, wheelhouse)
    assert done.returncode == 2
    assert "beta[woff] needs gamma>=1, which is not installed" in done.stderr
    assert "Traceback" not in done.stderr
    pip_check = subprocess.run([str(python_of(venv)), "-m", "pip", "check"], capture_output=True, text=True)
    assert pip_check.returncode == 0  # why the script checks itself


def test_a_package_at_another_version_than_the_lock_is_named(wheelhouse, tmp_path):
    venv = tmp_path / "venv"
    lock = wheelhouse / "lock.txt"
    assert install(lock, venv, wheelhouse).returncode == 0
    subprocess.run(
        [str(python_of(venv)), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        + ["--find-links", str(wheelhouse), "beta==2.0"],
        env=isolated_env(),
        check=True,
    )
    check = subprocess.run(
        [str(python_of(venv)), str(INSTALL), "--check-only", str(lock)], capture_output=True, text=True
    )
    assert check.returncode == 1
    assert check.stdout == "  - beta is installed at 2.0; lock.txt says 1.0\n"


def test_this_environment_is_the_lock_exactly():
    """The suite runs in the environment `make test` made: the script's check finds nothing."""
    check = subprocess.run(
        [sys.executable, str(INSTALL), "--check-only", str(ROOT / "requirements-test.lock")],
        capture_output=True,
        text=True,
    )
    assert (check.returncode, check.stdout) == (0, "")


def test_every_documented_route_installs_through_the_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(PYTHON) tools/install_lock.py $(1) --venv $(VENV)" in makefile
    assert "pip install" not in makefile.replace("pip install --require-hashes", "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    windows = readme.split("### Windows", 1)[1].split("```bat", 1)[1].split("```", 1)[0]
    steps = ["py", "tools\\install_lock.py", "requirements.lock", ".venv\\Scripts\\nap-analysis", "run"]
    assert windows.split() == steps
    workflow = (ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert "tools/install_lock.py requirements-test.lock" in workflow
    assert "pip install" not in workflow
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    wheel_test = (ROOT / "tests" / "test_packaging.py").read_text(encoding="utf-8")
    assert '"install_lock.py"' in wheel_test and "--require-hashes" not in wheel_test


def test_ci_installs_pango_with_the_packages_the_readme_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.search(r"`sudo apt-get install ([^`]+)`", readme).group(1).split()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert named and [package for package in named if package not in ci] == []


def test_no_tracked_file_holds_merge_conflict_markers():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist)")
    marked = []
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 5_000_000:
            text = path.read_bytes()
            if re.search(rb"^(<{7}|>{7}) ", text, re.M) or re.search(rb"^<{7} \S+\n(.*\n)*?={7}\n", text, re.M):
                marked.append(name)
    assert marked == []


def test_pre_commit_install_works_after_the_set_up(tmp_path):
    """CONTRIBUTING: `.venv/bin/pre-commit install` once per clone; pre-commit comes with the test lock."""
    assert metadata.version("pre-commit")
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    (tmp_path / ".pre-commit-config.yaml").write_bytes((ROOT / ".pre-commit-config.yaml").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / ".git" / "hooks" / "pre-commit").is_file()


def test_outputs_readme_lists_what_a_run_writes(built):
    """outputs/README.md names every file at the top of a run's folder and every folder in it."""
    listed = (ROOT / "outputs" / "README.md").read_text(encoding="utf-8")
    rows = [line for line in listed.splitlines() if line.startswith("| `")]
    named = set()
    for row in rows:
        cell = row.split("|")[1]
        names = re.findall(r"`([^`]+)`", cell)
        stem = names[0].rsplit(".", 1)[0]
        named |= {names[0]} | {stem + other for other in names[1:] if other.startswith(".")}
        named |= {name for name in names[1:] if not name.startswith(".")}
    written = {p.name + ("/" if p.is_dir() else "") for p in built.out_dir.iterdir()}
    assert written == named


def test_a_file_that_does_not_match_its_hash_stops_the_install_with_pips_words(wheelhouse, tmp_path):
    lock = tmp_path / "lock.txt"
    text = (wheelhouse / "lock.txt").read_text(encoding="utf-8")
    lock.write_text(
        re.sub(r"(gamma==1\.0 \\\n    --hash=sha256:)[0-9a-f]{64}", r"\g<1>" + "0" * 64, text), encoding="utf-8"
    )
    done = install(lock, tmp_path / "venv", wheelhouse)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("install_lock: pip install stopped with exit code 1; its last lines:")
    assert "DO NOT MATCH THE HASHES" in done.stderr
