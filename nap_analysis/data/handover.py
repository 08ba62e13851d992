"""Data a run has read and checked once, handed to its kernels so no notebook reads them again.

The run loads the data before any kernel starts (bad data stop it there) and writes the checked
:class:`~.programme.Programme` to a file in its private kernel folder. The setup cell of each
notebook (taken out of the executed notebook afterwards) calls :func:`receive`; the notebook's
own ``load(data_dir)`` then gets a fresh copy of those tables instead of reading the files.
A folder whose files changed since (name, size or modification time) is read as usual, and a
researcher in JupyterLab, whose kernel received nothing, always reads the files.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

#: the folder handed over (resolved), what its files looked like then, and the pickled programme
_handed: tuple[Path, tuple, bytes] | None = None


def fingerprint(folder: Path) -> tuple:
    """Name, size and modification time of every entry of ``folder``: what would make a reload differ."""
    try:
        with os.scandir(folder) as entries:
            return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries))
    except OSError:
        return ()


def write(programme, data_dir: Path, target: Path) -> Path:
    """The checked data as the kernels will see them (``data_dir`` as their notebooks name it)."""
    from dataclasses import replace

    target.write_bytes(pickle.dumps(replace(programme, data_dir=Path(data_dir)), protocol=pickle.HIGHEST_PROTOCOL))
    return target


def receive(source: str | Path, data_dir: str | Path) -> None:
    """In a kernel: the next loads of ``data_dir`` (as long as its files stay as they are) use ``source``."""
    global _handed
    folder = Path(data_dir).resolve()
    _handed = (folder, fingerprint(folder), Path(source).read_bytes())


def take(data_dir: str | Path):
    """A fresh copy of the programme handed over for ``data_dir``, or None (then the loader reads)."""
    if _handed is None:
        return None
    folder, seen, pickled = _handed
    here = Path(data_dir).resolve()
    if here != folder or fingerprint(here) != seen:
        return None
    programme = pickle.loads(pickled)  # written by this run into its own private folder
    programme.data_dir = Path(data_dir)
    return programme
