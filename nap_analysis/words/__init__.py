"""All words of both languages, in one place: headings, sentences, column names, chart texts,
status words, messages of the command line and of the loader.

Each language is one flat catalogue with the same keys, kept in two files: the documents'
words (``nl.py``, ``en.py``) and the commands' messages (``nl_commands.py``, ``en_commands.py``);
a test keeps the languages in step (same keys, same ``{placeholders}``) and the files apart (no key
in both). Code asks for a key, never writes a
sentence itself::

    w = words("nl")
    w("kp.total", year=2025, n=28, parts="...")
"""

from __future__ import annotations

from functools import cache

from . import en, en_commands, nl, nl_commands

LANGUAGES: tuple[str, ...] = ("nl", "en")
CATALOGUES = {"nl": {**nl.WORDS, **nl_commands.WORDS}, "en": {**en.WORDS, **en_commands.WORDS}}


class Words:
    """The catalogue of one language: ``w[key]`` is the raw entry, ``w(key, **fields)`` the text."""

    def __init__(self, language: str):
        if language not in CATALOGUES:
            language = "nl"
        self.language = language
        self._table = CATALOGUES[language]

    def __getitem__(self, key: str):
        return self._table[key]

    def __contains__(self, key: str) -> bool:
        return key in self._table

    def __call__(self, key: str, **fields) -> str:
        return self._table[key].format(**fields)

    def get(self, key: str, default=None):
        return self._table.get(key, default)

    def message(self, key: str, **fields) -> str:
        """A message key with its fields; text that is no key (an older literal message) as it is."""
        entry = self._table.get(key)
        if not isinstance(entry, str):
            return key
        return entry.format(**fields)

    def join(self, parts: list[str]) -> str:
        """'a, b en c' / 'a, b and c'."""
        parts = [p for p in parts if p]
        if len(parts) <= 1:
            return "".join(parts)
        return ", ".join(parts[:-1]) + f" {self._table['word.and']} " + parts[-1]


@cache
def words(language: str = "nl") -> Words:
    return Words(language)
