"""The project's one exception family: every failure a user can cause has a class and a message.

A message is a key in :mod:`nap_analysis.words` plus its fields, so the command line can say
it in the language of the run; ``str(error)`` is the Dutch text. The command line turns these
into exit codes and one clear line, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .words import words


class NapError(Exception):
    """Base class: anything the command line reports as a message, not a traceback."""

    exit_code = 1

    def __init__(self, key: str, **fields):
        self.key = key
        self.fields = fields
        super().__init__(self.text("nl"))

    def text(self, language: str = "nl") -> str:
        """The message in ``language``; a key that is no catalogue entry is shown as it is."""
        return words(language).message(self.key, **self.fields)


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in the input: file, row as a spreadsheet user counts it, column.

    ``message`` is a words key (with ``fields``) or, for messages not yet in the catalogue,
    the Dutch text itself.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fields: tuple = field(default=(), compare=False)

    def text(self, language: str = "nl") -> str:
        w = words(language)
        where = self.file
        if self.row is not None:
            where += w("problem.row", row=self.row)
        if self.column:
            where += w("problem.column", column=self.column)
        return f"{where}: {w.message(self.message, **dict(self.fields))}"

    def __str__(self) -> str:
        return self.text("nl")


class DataError(NapError):
    """The data directory cannot be used; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("error.data", count=len(self.problems))

    def text(self, language: str = "nl") -> str:
        w = words(language)
        head = w("error.data_one") if len(self.problems) == 1 else w("error.data_many", count=len(self.problems))
        return head + ":\n" + "\n".join(f"- {p.text(language)}" for p in self.problems)


class UsageError(NapError):
    """A parameter (year, language, date, folder) or the environment is not acceptable."""

    exit_code = 2


class ExportError(NapError):
    """Writing HTML, PDF or Word failed (for example: the Pango library for WeasyPrint is missing)."""

    exit_code = 1


class MissingLibraryError(ExportError):
    """A system library an export needs (Pango for WeasyPrint) is missing, or loads without the
    functions it should have: a bad environment, exit 2 like any other."""

    exit_code = 2


class RunError(NapError):
    """A notebook failed while running; names the notebook, the cell and the error."""

    exit_code = 1


class BusyError(NapError):
    """Another run is writing the same output folder."""

    exit_code = 1
