"""Where the tool finds what it ships with: the bundled data, the notebooks, the kernel spec.

In a git checkout these are the repository's top-level ``data/`` and ``notebooks/``; the
default output folder is ``outputs/`` of the checkout, else ``./outputs`` of the current folder.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """The bundled data (read-only input), the default for ``--data`` and ``data_dir``."""
    return ROOT / "data"


def notebooks_dir() -> Path:
    return ROOT / "notebooks"


def outputs_dir() -> Path:
    """Generated outputs: ``outputs/`` of the checkout, else ``./outputs``."""
    if (ROOT / "pyproject.toml").is_file() and (ROOT / "outputs").is_dir():
        return ROOT / "outputs"
    return Path.cwd() / "outputs"


def kernel_dir() -> Path:
    """A kernel spec 'python3' that is always this Python (for the run's kernels)."""
    return PACKAGE_DIR / "jupyter" / "kernels"
