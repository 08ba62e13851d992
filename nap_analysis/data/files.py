"""The data folder as the file system has it: what is there, what can be read, what only looks
like a table.

Every state of the file system becomes a located problem, never an exception: a folder that
cannot be listed, a file without read permission, a folder, named pipe or dangling link where a
table should be, and files that are almost a table (``funds.CSV``, ``funds.csv.txt``,
``funds.xls``). A table that is there but cannot be used is an error, never "absent". A named
pipe is never opened (reading it would wait forever).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from .messages import problem, visible

#: Last suffixes of files that hold a table in a form the loader does not read. A name like
#: ``funds.csv.txt`` or ``funds.xls`` is an error; backups (``funds.csv.bak``) are left alone.
NEAR_SUFFIXES = (".txt", ".tsv", ".tab", ".csv", ".xls", ".xlsb", ".ods", ".numbers", ".dat")
#: File formats named in the message (so that the user knows what to save as).
_FORMAT_NAMES = {
    ".xls": "Excel 97-2003 (.xls)",
    ".xlsb": "Excel binair (.xlsb)",
    ".ods": "OpenDocument (.ods)",
    ".numbers": "Apple Numbers (.numbers)",
}


@dataclass(frozen=True)
class Entry:
    """One name in the data folder."""

    name: str
    path: Path


def listing(data_dir: Path, problems: list[Problem]) -> list[Entry] | None:
    """The names in the data folder, or None (with the problem) when it cannot be used."""
    shown = str(data_dir)
    try:
        info = os.stat(data_dir)
    except FileNotFoundError:
        if os.path.islink(data_dir):
            problems.append(problem(shown, None, None, "load.dangling_link", target=visible(_link(data_dir))))
        else:
            problems.append(problem(shown, None, None, "load.folder_missing"))
        return None
    except OSError as exc:
        problems.append(_unreadable(shown, exc, "folder"))
        return None
    if not stat.S_ISDIR(info.st_mode):
        problems.append(problem(shown, None, None, "load.folder_not_a_folder"))
        return None
    try:
        with os.scandir(data_dir) as found:
            names = sorted(e.name for e in found)
        if names:  # listing needs read permission, looking at a file also search (x) permission
            os.lstat(data_dir / names[0])
    except OSError as exc:
        problems.append(_unreadable(shown, exc, "folder"))
        return None
    return [Entry(n, data_dir / n) for n in names]


def usable(entry: Entry, problems: list[Problem]) -> bool:
    """Whether ``entry`` is a regular file (through links); else the problem why it is not."""
    shown = visible(entry.name)
    try:
        info = os.stat(entry.path)
    except FileNotFoundError:
        if os.path.islink(entry.path):
            problems.append(problem(shown, None, None, "load.dangling_link", target=visible(_link(entry.path))))
        else:  # gone between listing and now
            problems.append(_unreadable(shown, FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT)), "file"))
        return False
    except OSError as exc:
        problems.append(_unreadable(shown, exc, "file"))
        return False
    if stat.S_ISDIR(info.st_mode):
        problems.append(problem(shown, None, None, "load.not_a_file_folder"))
        return False
    if stat.S_ISFIFO(info.st_mode):
        problems.append(problem(shown, None, None, "load.not_a_file_fifo"))
        return False
    if not stat.S_ISREG(info.st_mode):
        problems.append(problem(shown, None, None, "load.not_a_file_other"))
        return False
    return True


def read(
    entry: Entry, display: str, problems: list[Problem], max_bytes: int, key: str = "load.too_big"
) -> bytes | None:
    """The bytes of a regular file, at most ``max_bytes`` (a bigger file is refused unread)."""
    try:
        size = os.stat(entry.path).st_size
        if size > max_bytes:
            problems.append(problem(display, None, None, key, size=f"{size / 1e6:.1f}", limit=f"{max_bytes / 1e6:.0f}"))
            return None
        with open(entry.path, "rb") as handle:
            # read(n) allocates n bytes at once: ask for the size the file has (one more to see it grow)
            data = handle.read(size + 1)
            if len(data) > size:  # it grows while we read: on to the limit
                data += handle.read(max_bytes + 1 - len(data))
    except OSError as exc:
        problems.append(_unreadable(display, exc, "file"))
        return None
    if len(data) > max_bytes:  # it grew after the size was taken
        problems.append(
            problem(display, None, None, key, size=f"{len(data) / 1e6:.1f}+", limit=f"{max_bytes / 1e6:.0f}")
        )
        return None
    return data


def near_misses(table: str, entries: list[Entry]) -> list[Problem]:
    """Files that look like table ``table`` but are not read as it: another case
    (``Funds.CSV``), another or an extra suffix (``funds.csv.txt``, ``funds.xls``)."""
    wanted = f"{table}.csv"
    found = []
    for entry in entries:
        name, lower = entry.name, entry.name.lower()
        if name == wanted or name.startswith((".", "~$")):
            continue
        shown = visible(name)
        if lower == wanted:
            found.append(problem(shown, None, None, "load.wrong_case", wanted=wanted))
            continue
        stem, dot, suffix = lower.rpartition(".")
        if dot and f".{suffix}" in NEAR_SUFFIXES and stem in (table, wanted):
            kind = _FORMAT_NAMES.get(f".{suffix}")
            if kind:
                found.append(problem(shown, None, None, "load.other_format", format=kind, wanted=wanted, table=table))
            else:
                found.append(problem(shown, None, None, "load.wrong_suffix", wanted=wanted, table=table))
    return found


def _link(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _unreadable(shown: str, exc: OSError, what: str) -> Problem:
    """A file or folder that the system will not let us read: no permission, or the system's
    own reason ('Input/output error'), without the path the problem already names."""
    if isinstance(exc, PermissionError):
        return problem(shown, None, None, f"load.{what}_no_permission")
    return problem(shown, None, None, f"load.{what}_unreadable", detail=visible(exc.strerror or type(exc).__name__))
