"""The project's own exceptions: every failure a user can cause has a class and a message.

The command line turns these into exit codes and plain messages, never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class NapError(Exception):
    """Base class: anything the command line reports as a message, not a traceback."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in the input: file, row as a spreadsheet user counts it, column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", rij {self.row}"
        if self.column:
            where += f", kolom '{self.column}'"
        return f"{where}: {self.message}"


class DataError(NapError):
    """The data directory cannot be used; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} probleem gevonden in de data" if count == 1 else f"{count} problemen gevonden in de data"
        super().__init__(head + ":\n" + "\n".join(f"- {p}" for p in self.problems))


class UsageError(NapError):
    """A parameter (year, language, output folder) is not acceptable."""

    exit_code = 2


class ExportError(NapError):
    """HTML or PDF export failed (for example: the Pango library for WeasyPrint is missing)."""

    exit_code = 1


class RunError(NapError):
    """A notebook failed while running; names the notebook, the cell and the error."""

    exit_code = 1
