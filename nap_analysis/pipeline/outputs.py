"""The output folder of a run: built aside, swapped in whole, never half-written.

A run builds in ``<out>/.tmp-<name>.<random>/`` and swaps the finished folder in only when
every step succeeded; the previous folder goes away only after the new one is in place. A
lock per output folder (a file lock from :mod:`filelock`, on every platform) stops a second
run into the same folder. A run killed between the two renames is repaired by the next one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import BusyError, UsageError
from . import interrupts


def out_name(year: int, language: str) -> str:
    """outputs/<year>/ for Dutch (the default), outputs/<year>-en/ for English."""
    return str(year) if language == "nl" else f"{year}-{language}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class BuildFolder:
    """``with BuildFolder(root, name) as work:`` build in ``work``; on success it becomes ``root/name``.

    On any exception (Ctrl-C too) the build folder is removed and ``root/name`` stays as it was;
    so it is after a Ctrl-C that a library swallowed (:mod:`.interrupts`): nothing is swapped in.
    """

    def __init__(self, root: Path, name: str):
        self.root, self.name = Path(root), name
        self.final = self.root / name
        self.work: Path | None = None
        self._lock: FileLock | None = None

    def __enter__(self) -> Path:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(self.root / f".{self.name}.lock"))
            self._lock.acquire(timeout=0)
        except Timeout:
            raise BusyError("error.busy", folder=str(self.final)) from None
        except OSError as exc:
            raise UsageError("error.out_not_writable", folder=str(self.root), detail=exc.strerror or str(exc)) from None
        try:
            self._recover()
            for stale in self.root.glob(f".tmp-{self.name}.*"):  # left by a killed run; we hold the lock
                shutil.rmtree(stale, ignore_errors=True)
            self.work = Path(tempfile.mkdtemp(prefix=f".tmp-{self.name}.", dir=self.root))
            self.work.chmod(0o755)  # mkdtemp makes it private; outputs are for whoever may read the folder
        except OSError as exc:
            self._release()
            raise UsageError("error.out_not_writable", folder=str(self.root), detail=exc.strerror or str(exc)) from None
        return self.work

    def __exit__(self, kind, value, traceback) -> None:
        swallowed = kind is None and interrupts.pending()
        try:
            if kind is None and not swallowed:
                self._finish()
            elif self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)
        finally:
            self._release()
        if swallowed:
            raise KeyboardInterrupt

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            Path(self._lock.lock_file).unlink(missing_ok=True)
            self._lock = None

    def _finish(self) -> None:
        """Swap the finished folder in: old outputs go away only after the new ones are in place."""
        assert self.work is not None, "_finish follows a successful __enter__, which made the work folder"
        old = None
        if self.final.exists():
            old = self.root / f".old-{self.name}.{os.getpid()}"  # "." ends the name: 2024 vs 2024-en
            os.replace(self.final, old)
        os.replace(self.work, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _recover(self) -> None:
        """If an earlier run died between the two renames, put its previous outputs back."""
        if self.final.exists():
            for leftover in self.root.glob(f".old-{self.name}.*"):
                shutil.rmtree(leftover, ignore_errors=True)
            return
        leftovers = sorted(self.root.glob(f".old-{self.name}.*"))
        if leftovers:
            os.replace(leftovers[-1], self.final)
