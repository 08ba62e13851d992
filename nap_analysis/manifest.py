"""manifest.json: what went into a run and what came out, so a rerun can be checked.

Holds the SHA-256 of every input and output file, the parameters, the versions of the
packages that shape the output, and the git commit of the code.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path

MANIFEST = "manifest.json"
PACKAGES = ("nap-analysis", "pandas", "numpy", "matplotlib", "scipy", "papermill", "nbconvert", "nbclient",
            "ipykernel", "weasyprint", "pydyf", "openpyxl", "jupyterlab")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path, skip: tuple[str, ...] = (MANIFEST,)) -> dict[str, str]:
    """SHA-256 of every file below a folder, by relative POSIX path, sorted."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in skip and not p.name.startswith("."))
    return {p.relative_to(folder).as_posix(): sha256(p) for p in files}


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(where: Path) -> str:
    """The commit of the code (with '+dirty' when the work tree has changes), or 'unknown'."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def write_manifest(out_dir: Path, *, final_name: str, data_dir: Path, parameters: dict) -> Path:
    """Write ``manifest.json`` into a finished (not yet swapped-in) output folder."""
    from .paths import ROOT

    shown = {k: val for k, val in parameters.items() if k != "output_dir"}
    manifest = {
        "output": final_name,
        "parameters": shown,
        "inputs": {f"{data_dir.name}/{name}": digest for name, digest in file_hashes(data_dir, skip=()).items()},
        "outputs": file_hashes(out_dir),
        "packages": package_versions(),
        "git_commit": git_commit(ROOT),
    }
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(out_dir: Path) -> dict:
    from .errors import UsageError

    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        raise UsageError(f"{path} bestaat niet; is {out_dir} een uitvoermap van nap-analysis run?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is geen geldige JSON ({exc})") from None


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Files that differ, are missing or are extra, with a word saying which."""
    names = sorted(set(expected) | set(actual))
    return [
        f"{name}: {'ontbreekt' if name not in actual else 'extra' if name not in expected else 'verschilt'}"
        for name in names
        if expected.get(name) != actual.get(name)
    ]
