"""What the loader tells the user: located problems and notes as words keys, and values shown
so that nothing in them is invisible.

A message never holds a sentence: it is a key of :mod:`nap_analysis.words` with its fields,
said in the language asked for when it is shown.
"""

from __future__ import annotations

from ..errors import Problem
from ..words import words


def visible(value) -> str:
    """``value`` as text in which every character a person cannot see is written out.

    A zero-width space, a no-break space inside a word, a control character or a BOM make
    'vertraagd' a different word while it looks the same; in a message it is shown as
    ``vertraagd\\u200b``. Ordinary spaces stay.
    """
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}") for c in text
    )


def problem(file: str, row: int | None, column: str | None, key: str, /, **fields) -> Problem:
    """A located problem whose message is the words key ``key`` with ``fields``."""
    return Problem(file, row, column, key, tuple(fields.items()))


class Note(str):
    """A remark about the data that is no error (a table absent, a hidden sheet left out).

    A ``str`` (the Dutch text) so that it prints as before; :meth:`text` says it in another
    language.
    """

    key: str
    fields: dict

    def __new__(cls, key: str, **fields):
        note = super().__new__(cls, words("nl")(key, **fields))
        note.key, note.fields = key, fields
        return note

    def text(self, language: str = "nl") -> str:
        return words(language)(self.key, **self.fields)

    def __reduce__(self):  # pickled for the kernels: rebuilt from key and fields
        return (_note, (self.key, self.fields))


def _note(key: str, fields: dict) -> Note:
    return Note(key, **fields)
