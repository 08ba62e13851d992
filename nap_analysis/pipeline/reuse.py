"""What a rerun can take from the last good outputs instead of making it again.

Every product of a run has a key: a SHA-256 over everything it depends on.

- The run: the bytes of every file in the data folder, the notebooks, the parameters as asked
  (the date a run falls back on included), the formats, the code (this package's files and the
  git commit the manifest records), the version of every installed package and of Python.
  Unchanged, the run ends at once with the folder as it is.
- An executed notebook: its source, its parameters, the data as read (their digest), the code
  and the versions.
- A document: its section model (text, tables, figures), the code and the versions; its files
  are taken in the formats asked for, where the last run made them.

Unlike a cache keyed on the source alone (Quarto's freeze), a change to the data or to a
library's version is a change. The keys are kept in ``<out>/.nap-reuse/<name>.json``, beside the
output folders, never inside them (``verify`` compares a folder with its rerun), and they are
bound to the manifest of the folder they describe: a product is taken only from a folder whose
manifest is the one the keys were written with and whose files still hash as that manifest
records (nothing edited by hand). ``run --fresh`` takes nothing; ``verify`` always runs fresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from pathlib import Path

from ..resources import ROOT
from .manifest import MANIFEST, file_hashes, folder_state, git_commit, read_manifest, sha256
from .outputs import write_atomic

FOLDER = ".nap-reuse"
PACKAGE = Path(__file__).resolve().parent.parent


def digest(value) -> str:
    """SHA-256 of a JSON-able value (keys sorted): the one way a key is made."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _files(folder: Path, pattern: str = "*") -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(Path(folder).glob(pattern)) if p.is_file()}


class Environment:
    """What every key shares: the code and the versions, computed once per process."""

    _cached: str | None = None

    @classmethod
    def key(cls) -> str:
        if cls._cached is None:
            code = {
                p.relative_to(PACKAGE).as_posix(): sha256(p)
                for p in sorted(PACKAGE.rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            }
            cls._cached = digest(
                {"code": code, "commit": git_commit(ROOT), "packages": installed(), "python": sys.version}
            )
        return cls._cached


def installed() -> list[str]:
    """Every installed distribution, as the name of its metadata folder on the import path
    ('pandas-2.3.3.dist-info': name and version, as the packaging spec names it). Read from the
    folder listings, where the metadata itself is where importlib.metadata finds it: 0.002 s, where
    parsing the ~150 METADATA files took 0.22-0.26 s."""
    found: set[str] = set()
    for entry in sys.path:
        folder = Path(entry or ".")
        with contextlib.suppress(OSError):
            found.update(p.name for p in folder.iterdir() if p.suffix in (".dist-info", ".egg-info"))
    return sorted(found)


class RunKey:
    """The whole run's key. The data and notebooks are hashed when it is made (before the data are
    read, so before pandas is imported); the code and versions only when the key is first needed:
    a run into a folder without keys, stopped by bad data, never pays for them."""

    def __init__(self, data_dir: Path, notebooks: list[Path], asked: dict):
        self.inputs: dict | None
        try:
            self.inputs = {"data": _files(data_dir), "notebooks": {p.name: sha256(p) for p in notebooks}}
            self.inputs["asked"] = asked
        except OSError:  # a file we cannot read: no key, no reuse; the loader then names the file
            self.inputs = None
        self._value: str | None = None

    @property
    def value(self) -> str | None:
        """None if the inputs could not all be read: such a run neither reuses nor records."""
        if self._value is None and self.inputs is not None:
            self._value = digest({**self.inputs, "environment": Environment.key()})
        return self._value


def notebook_key(path: Path, parameters: dict, data_version: str) -> str:
    return digest(
        {"notebook": sha256(path), "parameters": parameters, "data": data_version, "environment": Environment.key()}
    )


def document_key(doc) -> str:
    """The same for every format: a file of one format depends only on the document and the code."""
    from ..briefing.model import to_json

    return digest({"document": to_json(doc), "environment": Environment.key()})


class Previous:
    """The last good output folder of a name and the keys it was made with (empty if none applies)."""

    def __init__(self, out_root: Path, name: str, keys: dict | None = None):
        self.folder = Path(out_root) / name
        self.keys = keys or {}

    @classmethod
    def of(cls, out_root: Path, name: str) -> Previous:
        """The keys of ``out_root/name``, if they belong to its manifest and nothing in it was edited."""
        keys = _read(Path(out_root) / FOLDER / f"{name}.json")
        if keys is None or not intact(Path(out_root) / name, keys.get("manifest")):
            return cls(out_root, name)
        return cls(out_root, name, keys)

    def notebook(self, name: str, key: str) -> Path | None:
        """The executed notebook made with this key, or None."""
        path = self.folder / "notebooks" / name
        return path if self.keys.get("notebooks", {}).get(name) == key and path.is_file() else None

    def document(self, stem: str, key: str, formats: tuple[str, ...]) -> dict[str, bytes] | None:
        """The document's files (name -> bytes) made with this key, or None."""
        if self.keys.get("documents", {}).get(stem) != key:
            return None
        files = {f"{stem}.{kind}": self.folder / f"{stem}.{kind}" for kind in formats}
        if not all(p.is_file() for p in files.values()):
            return None
        return {name: path.read_bytes() for name, path in files.items()}


def unchanged(out_root: Path, key: RunKey) -> tuple[Path, dict] | None:
    """The output folder a run with this key made, if it is still exactly as then, with what
    ``check`` found in it; else None."""
    recorded = sorted((Path(out_root) / FOLDER).glob("*.json"))  # none: the key is not even computed
    if recorded and key.value is None:
        return None
    for path in recorded:
        keys = _read(path)
        if keys is not None and keys.get("run") == key.value:
            target = Path(out_root) / path.stem
            findings = keys.get("findings")
            if intact(target, keys.get("manifest")) and isinstance(findings, dict):
                return target, findings
    return None


def intact(folder: Path, manifest_hash) -> bool:
    """Whether ``folder`` has the manifest ``manifest_hash`` and every file as that manifest records."""
    path = folder / MANIFEST
    if not isinstance(manifest_hash, str) or not path.is_file() or sha256(path) != manifest_hash:
        return False
    try:
        manifest = read_manifest(folder)
    except Exception:  # noqa: BLE001 - any manifest we cannot read is one we do not reuse from
        return False
    return file_hashes(folder) == {**manifest["inputs"], **manifest["outputs"]} and not folder_state(folder)


def record(out_root: Path, name: str, run: str | None, notebooks: dict, documents: dict, findings: dict) -> None:
    """The keys of the folder a run has just swapped in, bound to its manifest, and what ``check`` found."""
    if run is None:
        return
    manifest = sha256(Path(out_root) / name / MANIFEST)
    keys = {"run": run, "manifest": manifest, "notebooks": notebooks, "documents": documents, "findings": findings}
    text = json.dumps(keys, indent=1, sort_keys=True) + "\n"
    # without their keys (a full disk) the outputs stand; the next run then makes everything again
    with contextlib.suppress(OSError):
        write_atomic(Path(out_root) / FOLDER / f"{name}.json", text.encode("utf-8"))


def _read(path: Path) -> dict | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1 << 20:
            return None
        keys = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return keys if isinstance(keys, dict) else None


def asked(year, language: str, date: str | None, fallback: str, formats: tuple[str, ...]) -> dict:
    """The parameters of a run as asked (the year may be 'the latest'), with the date it falls back
    on (today, or SOURCE_DATE_EPOCH) where the data give none. A run asked for a date never uses the
    fallback: leaving it out, a rerun after midnight with the same ``--date`` is still unchanged."""
    kept = fallback if date is None else None
    return {"year": year, "language": language, "date": date, "fallback": kept, "formats": list(formats)}
