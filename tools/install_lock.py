"""Install a lock file into a virtual environment exactly as written, and prove it.

Every documented route (``make briefing``, ``make test``, ``.ci/run``, the README's Windows steps and
the wheel test) installs through this one script, with only the Python standard library, so the
steps are the same everywhere:

1. ``python -m venv`` (its own pip, whatever version it brings: 23.0 and later work);
2. ``pip install --require-hashes --no-deps --only-binary :all: -r LOCK``: pip installs the files
   the lock names and resolves nothing. Without ``--no-deps`` an older pip resolves a dependency
   that another package asks for *with an extra* (``fonttools[woff]`` from WeasyPrint) to the
   newest release on the index and then refuses it as unpinned; the lock was only as good as the
   day it was made. ``--only-binary`` keeps pip from building an sdist in an isolated environment,
   which would fetch its build tools unpinned;
3. ``pip check``, then this script's own check, run by the new environment's Python: every package
   the lock names for this platform is installed at exactly its locked version, and every
   requirement of every installed package is met, *extras included* (``pip check`` does not look at
   the dependencies of an extra, so a lock without ``zopfli`` would pass it);
4. this package: editable from the checkout (``--no-build-isolation``, built with the locked
   setuptools), or a built wheel (``--package``), both ``--no-deps``.

Run: ``python3 tools/install_lock.py requirements.lock`` (``--venv DIR``, default ``.venv``;
``--package PATH`` a wheel instead of the checkout; ``--no-package`` only the lock; anything after
``--`` goes to pip, e.g. ``-- --no-index --find-links wheelhouse``). Exit 0 when installed and
checked, 2 when a step fails or the check finds a difference; 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: One pinned line of a lock made by ``uv pip compile --generate-hashes``: name==version ; marker
LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*(.*?))?\s*(?:\\|--hash.*)?$")


class InstallError(Exception):
    """A step failed; the message says which and what to do."""


def say(message: str) -> None:
    print(message, flush=True)


def read_lock(path: Path) -> list[tuple[str, str, str]]:
    """(name, version, marker) of every pinned line; the marker is '' where the line has none."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InstallError(f"cannot read the lock {path}: {error.strerror}") from None
    pinned = [m.groups() for m in map(LOCK_LINE.match, lines) if m]
    if not pinned:
        raise InstallError(f"{path} pins no package (expected lines like 'pandas==2.2.3 \\')")
    return [(name, version, marker or "") for name, version, marker in pinned]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run_pip(python: Path, args: list[str], total: int | None = None) -> None:
    """pip with its output read line by line: a progress line every 20 packages (pip itself is silent
    for a minute or more while it unpacks), and pip's last lines if it fails."""
    command = [str(python), "-m", "pip", "--disable-pip-version-check", *args]
    tail: deque[str] = deque(maxlen=25)
    seen = ignored = 0
    started = time.monotonic()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
    ) as pip:
        assert pip.stdout is not None
        for line in pip.stdout:
            tail.append(line.rstrip())
            if line.startswith("Ignoring "):
                ignored += 1
            elif line.startswith(("Collecting ", "Processing ")):
                seen += 1
                if seen % 20 == 0:
                    of = f" of {total - ignored}" if total else ""
                    say(f"      {seen}{of} packages found ({time.monotonic() - started:.0f} s)")
            elif line.startswith("Installing collected packages"):
                count = line.count(",") + 1
                say(f"      unpacking {count} package{'s' if count > 1 else ''} into the environment ...")
    if pip.returncode != 0:
        shown = "\n".join(f"      | {line}" for line in tail if line)
        raise InstallError(f"pip {args[0]} stopped with exit code {pip.returncode}; its last lines:\n{shown}")


def create_venv(venv: Path) -> Path:
    python = venv_python(venv)
    if python.exists():
        say(f"[1/4] virtual environment {venv} exists; installing into it")
        return python
    say(f"[1/4] virtual environment {venv} (python -m venv, with the pip it brings)")
    done = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if done.returncode != 0:
        hint = ""
        if "ensurepip" in done.stdout + done.stderr:
            hint = " Debian/Ubuntu: sudo apt-get install python3-venv."
        raise InstallError(f"python -m venv {venv} failed: {(done.stderr or done.stdout).strip()}{hint}")
    return python


def check_installed(lock: Path) -> list[str]:
    """Run by the new environment's Python: every differing package and every unmet requirement."""
    from importlib import metadata

    try:
        from packaging.markers import Marker
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
        from packaging.version import Version
    except ImportError:
        return [f"'packaging' is not installed, so nothing can be checked: {lock.name} should pin it"]

    installed: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        installed.setdefault(canonicalize_name(dist.metadata["Name"]), dist)
    problems = []
    for name, version, marker in read_lock(lock):
        if marker and not Marker(marker).evaluate():
            continue
        dist = installed.get(canonicalize_name(name))
        if dist is None:
            problems.append(f"{name}=={version} is in {lock.name} but not installed")
        elif Version(dist.version) != Version(version):
            problems.append(f"{name} is installed at {dist.version}; {lock.name} says {version}")
    # every requirement of every installed package, and of each extra another package asks for
    queue = deque((name, "") for name in installed)
    asked = set(queue)
    while queue:
        name, extra = queue.popleft()
        for text in installed[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
                continue
            wanted = canonicalize_name(requirement.name)
            who = f"{installed[name].metadata['Name']}{f'[{extra}]' if extra else ''}"
            extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            needed = f"{requirement.name}{extras}{requirement.specifier}"
            dist = installed.get(wanted)
            if dist is None:
                problems.append(f"{who} needs {needed}, which is not installed")
                continue
            if not requirement.specifier.contains(dist.version, prereleases=True):
                problems.append(f"{who} needs {needed}; {dist.version} is installed")
            for more in requirement.extras:
                if (wanted, more) not in asked:
                    asked.add((wanted, more))
                    queue.append((wanted, more))
    return problems


def install(lock: Path, venv: Path, package: str | None, pip_args: list[str]) -> None:
    started = time.monotonic()
    pinned = read_lock(lock)
    python = create_venv(venv)
    version = subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True, text=True).stdout.split()
    say(
        f"[2/4] {len(pinned)} pinned lines of {lock.name} with pip {version[1] if len(version) > 1 else '?'}: "
        "hashes checked, nothing resolved (--no-deps), wheels only"
    )
    run_pip(
        python,
        ["install", "--require-hashes", "--no-deps", "--only-binary", ":all:", "-r", str(lock), *pip_args],
        total=len(pinned),
    )
    say("[3/4] checking the installed set: pip check, then every locked version and every requirement, extras too")
    run_pip(python, ["check"])
    check = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--check-only", str(lock)], capture_output=True, text=True
    )
    if check.returncode != 0:
        raise InstallError(f"the installed set differs from {lock.name}:\n{check.stdout}{check.stderr}".rstrip())
    if package is None:
        say("[4/4] this package: not asked for (--no-package)")
    elif package == ".":
        say(f"[4/4] nap-analysis, editable from {ROOT} (built with the locked setuptools)")
        run_pip(python, ["install", "--no-deps", "--no-build-isolation", "-e", str(ROOT), *pip_args])
    else:
        say(f"[4/4] nap-analysis from {package}")
        run_pip(python, ["install", "--no-deps", package, *pip_args])
    if package is not None:
        run_pip(python, ["check"])
    listed = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(len(list(m.distributions())))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    say(
        f"Installed in {time.monotonic() - started:.0f} s: {venv} holds {listed} packages, every one of "
        f"{lock.name} at its locked version{'' if package is None else ', and nap-analysis'}."
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    pip_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, pip_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", type=Path, help="requirements.lock or requirements-test.lock")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="the environment (default: .venv)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--package", default=".", help="a wheel to install instead of the checkout (editable)")
    where.add_argument("--no-package", dest="package", action="store_const", const=None, help="only the lock")
    parser.add_argument("--check-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.check_only:
            problems = check_installed(args.lock)
            for problem in problems:
                print(f"  - {problem}")
            return 1 if problems else 0
        install(args.lock, args.venv, args.package, pip_args)
    except InstallError as error:
        print(f"install_lock: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("install_lock: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
