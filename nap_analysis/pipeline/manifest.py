"""manifest.json: what went into a run and what came out, so a rerun can be checked.

Holds the SHA-256 of every input file (the copy in ``data/`` of the output folder) and of every
output file, the parameters, the versions of the packages that shape the output, and the git
commit of the code. It names no absolute path: the same data in another folder gives the same
manifest.
"""

from __future__ import annotations

import hashlib
import json
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


def file_hashes(folder: Path, skip: tuple[str, ...] = (MANIFEST,)) -> dict[str, str]:
    """SHA-256 of every file below a folder (hidden ones too), by relative POSIX path, sorted."""
    files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.relative_to(folder).as_posix() not in skip)
    return {p.relative_to(folder).as_posix(): sha256(p) for p in files}


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


def read_manifest(out_dir: Path) -> dict:
    """The manifest of an output folder, checked to be one this tool wrote."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise UsageError("error.no_manifest", path=str(path), folder=str(out_dir))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UsageError("error.bad_manifest", path=str(path), detail=str(exc)) from None
    needed = {"tool", "parameters", "inputs", "outputs", "packages", "git_commit"}
    if not isinstance(manifest, dict) or manifest.get("tool") != "nap-analysis" or not needed <= set(manifest):
        raise UsageError("error.not_our_manifest", path=str(path))
    params = manifest["parameters"]
    if not isinstance(params, dict) or not {"report_year", "language", "briefing_date"} <= set(params):
        raise UsageError("error.not_our_manifest", path=str(path))
    return manifest


def differences(expected: dict[str, str], actual: dict[str, str], words) -> list[str]:
    """Files that differ, are missing or are extra, with a word saying which."""
    names = sorted(set(expected) | set(actual))

    def state(name: str) -> str:
        if name not in actual:
            return words["verify.missing"]
        return words["verify.extra"] if name not in expected else words["verify.differs"]

    return [f"{name}: {state(name)}" for name in names if expected.get(name) != actual.get(name)]
