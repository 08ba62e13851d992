"""Where the tool finds what it ships with: the bundled data, the notebooks, the kernel spec.

Each has one source, the repository's top-level ``data/`` and ``notebooks/``. In a git checkout
(an editable install too) they are read there. An installed wheel carries them as
``nap_analysis/_bundled/data`` and ``nap_analysis/_bundled/notebooks`` (the package mapping in
pyproject.toml), found with :mod:`importlib.resources`. The default output folder is
``outputs/`` of the checkout when started inside it, else ``./outputs`` of the current folder,
never inside the installed package.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from .errors import RunError, UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def checkout() -> Path | None:
    """The repository this package runs from (its data/ and notebooks/ beside it), else None."""
    if all((ROOT / name).exists() for name in ("pyproject.toml", "data", "notebooks")):
        return ROOT
    return None


def _bundled(name: str) -> Path:
    root = checkout()
    if root is not None:
        return root / name
    found = resources.files(__package__) / "_bundled" / name
    if not isinstance(found, Path):  # a zipped install: the run needs real folders
        raise UsageError("error.bundled_not_a_folder", what=name, where=str(found))
    return found


def data_dir() -> Path:
    """The bundled data (read-only input), the default for ``--data`` and ``data_dir``."""
    return _bundled("data")


def notebooks_dir() -> Path:
    """The bundled notebooks, the default for ``--notebooks``."""
    return _bundled("notebooks")


def outputs_dir() -> Path:
    """Generated outputs: ``outputs/`` of the checkout when the command runs inside it, else
    ``./outputs`` of the current folder: a run never writes into a repository it was not started in
    (a project folder's ``nap.toml`` names its own)."""
    root = checkout()
    here = Path.cwd().resolve()
    if root is not None and (root / "outputs").is_dir() and here.is_relative_to(root.resolve()):
        return root / "outputs"
    return here / "outputs"


def kernel_dir() -> Path:
    """A kernel spec 'python3' that is always this Python (for the run's kernels)."""
    return PACKAGE_DIR / "jupyter" / "kernels"


def copy_for_editing(target: Path) -> tuple[Path, Path]:
    """Copy the bundled data and notebooks into ``target/data`` and ``target/notebooks``.

    For a researcher who wants to edit them: the copies are ordinary writable files (modes are
    not copied, so a read-only installation gives editable copies). Nothing is overwritten:
    when either folder exists the copy is refused. Returns (data folder, notebooks folder).
    """
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        raise UsageError("error.init_not_a_folder", folder=str(target))
    data, notebooks = target / "data", target / "notebooks"
    for folder in (data, notebooks):
        if folder.exists():
            raise UsageError("error.init_exists", folder=str(folder))
    try:
        target.mkdir(parents=True, exist_ok=True)
        # both copied aside first and moved in only when complete: a failure leaves nothing half-copied
        scratch = Path(tempfile.mkdtemp(prefix=".nap-init-", dir=target))
        try:
            for source, name in ((data_dir(), "data"), (notebooks_dir(), "notebooks")):
                _copy_tree(source, scratch / name)
            os.replace(scratch / "data", data)
            os.replace(scratch / "notebooks", notebooks)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except OSError as exc:
        raise UsageError("error.init_failed", folder=str(target), detail=exc.strerror or str(exc)) from None
    return data, notebooks


def _copy_tree(source: Path, target: Path) -> None:
    """Files and folders with this user's default modes (shutil.copytree would copy read-only bits)."""
    target.mkdir()
    for path in sorted(source.iterdir()):
        if path.name in ("__pycache__", ".ipynb_checkpoints"):
            continue
        if path.is_dir():
            _copy_tree(path, target / path.name)
        else:
            shutil.copyfile(path, target / path.name)


def numbered_notebooks(directory: Path) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) of a folder, in order. Here, not in
    :mod:`nap_analysis.pipeline.notebooks`: a run lists them before it starts its kernels, and
    importing that module (nbformat, and through the section model pandas and matplotlib) first
    cost 5 s in which no kernel booted."""
    found = sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise RunError("error.no_notebooks", folder=str(directory))
    return found
