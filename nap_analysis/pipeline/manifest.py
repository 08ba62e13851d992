"""manifest.json: what went into a run and what came out, so a rerun can be checked.

Holds the SHA-256 of every input file (the copy in ``data/`` of the output folder) and of every
output file, the parameters, the versions of the packages that shape the output, and the git
commit of the code. It names no absolute path: the same data in another folder gives the same
manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from importlib import metadata
from pathlib import Path

from ..errors import UsageError
from ..resources import ROOT

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
INPUTS = "data"
PACKAGES = (
    "nap-analysis",
    "pandas",
    "numpy",
    "matplotlib",
    "scipy",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "weasyprint",
    "pydyf",
    "openpyxl",
    "python-docx",
    "jupyterlab",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk(folder: Path):
    """(relative POSIX path, os.stat_result without following links) of everything below a
    folder, hidden names too; a linked folder is not entered."""
    folder = Path(folder)
    for root, dirs, names in os.walk(folder, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(root) / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            yield path.relative_to(folder).as_posix(), path, info


def file_hashes(folder: Path, skip: tuple[str, ...] = (MANIFEST,)) -> dict[str, str]:
    """SHA-256 of every regular file below a folder (hidden ones too), by relative POSIX path,
    sorted. A symbolic link is no file of a run (:func:`folder_state` names it): never followed."""
    files = sorted(
        (name, path) for name, path, info in _walk(folder) if stat.S_ISREG(info.st_mode) and name not in skip
    )
    return {name: sha256(path) for name, path in files}


#: Permission bits a run never gives a file: execute, write for others, set-id and sticky bits.
_ODD_FILE_BITS = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX


def folder_state(folder: Path) -> list[tuple[str, str, str]]:
    """What an output folder holds besides regular files with ordinary modes: (path, kind,
    detail) for symbolic links ('symlink', target), special files ('special': named pipe,
    socket, device), empty folders ('empty_folder') and modes a run never writes ('mode')."""
    found = []
    for name, path, info in _walk(folder):
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            found.append((name, "symlink", target))
        elif stat.S_ISDIR(mode):
            try:
                empty = not any(os.scandir(path))
            except OSError:
                empty = False
            if empty:
                found.append((name, "empty_folder", ""))
            if mode & (stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID) or not mode & stat.S_IRUSR:
                found.append((name, "mode", oct(stat.S_IMODE(mode))))
        elif not stat.S_ISREG(mode):
            found.append((name, "special", stat.filemode(mode)[0]))
        elif mode & _ODD_FILE_BITS or not mode & stat.S_IRUSR:
            found.append((name, "mode", oct(stat.S_IMODE(mode))))
    return found


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(where: Path = ROOT) -> str:
    """The commit of the code (with '+dirty' when the work tree has changes), or 'unknown'."""
    if not (Path(where) / ".git").exists():
        return "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def write_manifest(out_dir: Path, *, name: str, parameters: dict) -> Path:
    """Write ``manifest.json`` into a finished (not yet swapped-in) output folder."""
    everything = file_hashes(out_dir)
    manifest = {
        "tool": "nap-analysis",
        "manifest_version": MANIFEST_VERSION,
        "output": name,
        "parameters": parameters,
        "inputs": {k: v for k, v in everything.items() if k.startswith(f"{INPUTS}/")},
        "outputs": {k: v for k, v in everything.items() if not k.startswith(f"{INPUTS}/")},
        "packages": package_versions(),
        "git_commit": git_commit(),
    }
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


#: Largest manifest read: a run's is a few kB.
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
_HEX = frozenset("0123456789abcdef")


def read_manifest(out_dir: Path) -> dict:
    """The manifest of an output folder, checked to be one this tool wrote: every field of the
    type the tool writes (any other shape is one message, never an exception)."""
    path = Path(out_dir) / MANIFEST
    if path.is_symlink() or not path.is_file():
        raise UsageError("error.no_manifest", path=str(path), folder=str(out_dir))
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise UsageError("error.not_our_manifest", path=str(path))
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UsageError("error.bad_manifest", path=str(path), detail=str(exc)) from None
    except RecursionError:  # nested deeper than the parser goes
        raise UsageError("error.bad_manifest", path=str(path), detail="nesting too deep") from None
    if not _our_shape(manifest):
        raise UsageError("error.not_our_manifest", path=str(path))
    return manifest


def _our_shape(manifest) -> bool:
    """Whether ``manifest`` has the fields and types :func:`write_manifest` writes."""
    if not isinstance(manifest, dict) or manifest.get("tool") != "nap-analysis":
        return False
    needed = {"tool", "parameters", "inputs", "outputs", "packages", "git_commit"}
    if not needed <= set(manifest):
        return False
    params = manifest["parameters"]
    if not (
        isinstance(params, dict)
        and type(params.get("report_year")) is int
        and isinstance(params.get("language"), str)
        and isinstance(params.get("briefing_date"), str)
    ):
        return False
    for field in ("inputs", "outputs"):
        hashes = manifest[field]
        if not isinstance(hashes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) == 64 and set(v) <= _HEX for k, v in hashes.items()
        ):
            return False
    packages = manifest["packages"]
    if not isinstance(packages, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in packages.items()
    ):
        return False
    return isinstance(manifest["git_commit"], str)


def manifest_differences(recorded: dict, rerun: dict, allow_other_versions: bool) -> list[str]:
    """Fields of the recorded manifest that the rerun's manifest does not have as recorded
    (the manifest itself is checked, not only the files it lists)."""
    ignored = {"packages", "git_commit"} if allow_other_versions else set()
    names = sorted((set(recorded) | set(rerun)) - ignored)
    return [name for name in names if recorded.get(name) != rerun.get(name)]


def differences(expected: dict[str, str], actual: dict[str, str], words) -> list[str]:
    """Files that differ, are missing or are extra, with a word saying which; a folder of which
    nothing was recorded (a ``.git/`` put into the output) is one line with its file count."""
    names = sorted(set(expected) | set(actual))
    recorded_folders = {"/".join(name.split("/")[:i]) for name in expected for i in range(1, name.count("/") + 1)}

    def extra_folder(name: str) -> str | None:
        parts = name.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder not in recorded_folders:
                return folder
        return None

    lines: list[str] = []
    folders: dict[str, int] = {}
    for name in names:
        if expected.get(name) == actual.get(name):
            continue
        if name not in expected and (folder := extra_folder(name)) is not None:
            folders[folder] = folders.get(folder, 0) + 1
            continue
        if name not in actual:
            state = words["verify.missing"]
        else:
            state = words["verify.extra"] if name not in expected else words["verify.differs"]
        lines.append(f"{name}: {state}")
    lines += [f"{folder}/: {words('verify.extra_folder', n=n)}" for folder, n in sorted(folders.items())]
    return lines
