"""The one place that knows the status vocabulary and the action lines.

Codes are stable identifiers used in data, code and CSV output. The words a briefing
shows for a code are configuration per report year (``data/status_labels.csv``, default
words in :mod:`nap_analysis.words`), so that a relabelled icon (2025: "wordt invulling
gegeven aan" for completed) never needs a code change. Here: the codes and the input words
the loader accepts for them. Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Status codes of activities (Bijlage 1), in display order: done first, stopped last.
ACTIVITY_STATUSES: tuple[str, ...] = (
    "completed",
    "in_progress",
    "delayed",
    "stopped",
    "not_started",
)

#: Motions and commitments (Bijlage 2) use the same codes plus ``alternative``.
MOTION_STATUSES: tuple[str, ...] = ACTIVITY_STATUSES + ("alternative",)

#: How a status is known.
STATUS_BASES: tuple[str, ...] = ("stated", "inferred", "illustrative")

#: Whether an activity (or motion) is a real part of the NAP or made up for the demonstration.
#: Independent of status_basis: a real activity can have an illustrative status.
ORIGINS: tuple[str, ...] = ("nap", "made_up")

MOTION_KINDS: tuple[str, ...] = ("motie", "toezegging")
#: A bewindspersoon's part in sending the report: the coordinating ones sign (the one the nota is
#: addressed to) or coordinate from another ministry, the co-signing one sends it "mede namens",
#: the informed ones receive the stukken.
ROLES: tuple[str, ...] = ("coordinating", "co-signing", "informed")
YES_NO: tuple[str, ...] = ("yes", "no")
#: decided: made available ("vrijgemaakt"); reserved: earmarked, decision pending;
#: no_funds: the ministry has no extra funds (the memo's words are in ``purpose``).
FUND_STATUSES: tuple[str, ...] = ("decided", "reserved", "no_funds")
AMOUNT_BASES: tuple[str, ...] = ("per_year", "total")
#: How precisely a planned date is known: a day, or only the month ('PM-dec').
DATE_PRECISIONS: tuple[str, ...] = ("day", "month")
LANGUAGES: tuple[str, ...] = ("nl", "en")

#: The end of the programme after its extension of 15 April 2024, for data without ``reports.csv``
#: (which says per report what was known then).
PROGRAMME_END = dt.date(2026, 12, 31)

#: The five action lines of the NAP (drafts in 2022 had six; line 6 was merged into 5).
ACTIELIJNEN: tuple[int, ...] = (1, 2, 3, 4, 5)

#: Label used for the whole-programme row in progress tables.
TOTAL = "total"

# Accepted input words per code (besides the code itself), compared after normalising.
_ACTIVITY_WORDS: dict[str, tuple[str, ...]] = {
    "completed": ("afgerond", "afgedaan", "completed", "done"),
    "in_progress": ("in uitvoering", "in progress", "lopend"),
    "delayed": ("vertraagd", "delayed"),
    "stopped": ("stopgezet", "gestopt", "stopped"),
    "not_started": ("niet gestart", "nog niet gestart", "not started"),
}
_MOTION_EXTRA_WORDS: dict[str, tuple[str, ...]] = {
    "completed": ("gestand gedaan", "uitgevoerd"),
    "in_progress": ("loopt",),
    "alternative": ("alternatieve invulling", "alternatief ingevuld", "fulfilled otherwise"),
}


def normalise(word: str) -> str:
    """Lower-case, trim and fold inner whitespace, underscores and hyphens to one space."""
    return re.sub(r"[\s_\-]+", " ", str(word).strip().lower())


def _accepted(words: dict[str, tuple[str, ...]], codes: tuple[str, ...]) -> dict[str, str]:
    table = {normalise(code): code for code in codes}
    for code, alternatives in words.items():
        table.update({normalise(w): code for w in alternatives})
    return table


def _merge(*parts: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for part in parts:
        for code, words in part.items():
            merged[code] = merged.get(code, ()) + words
    return merged


#: normalised input word -> code, for activities and for motions/commitments.
ACTIVITY_INPUT: dict[str, str] = _accepted(_ACTIVITY_WORDS, ACTIVITY_STATUSES)
MOTION_INPUT: dict[str, str] = _accepted(_merge(_ACTIVITY_WORDS, _MOTION_EXTRA_WORDS), MOTION_STATUSES)


def nearest(word: str, candidates) -> str | None:
    """The closest accepted word, for 'did you mean' messages (e.g. vertraagt -> vertraagd)."""
    matches = difflib.get_close_matches(normalise(word), [normalise(c) for c in candidates], n=1, cutoff=0.6)
    return matches[0] if matches else None


# --------------------------------------------------------------------------- statuses in Dutch text

_NOT = r"(?<!\bniet )(?<!\bnog )"  # "nog niet afgerond" does not say completed
#: What a Dutch text (an explanation, a status word) says about a status. ``pipeline.check`` names
#: a row whose explanation says another status than its own, and a year's status word that reads
#: as another status; the nota advises on the latter.
SAYS: dict[str, re.Pattern] = {
    "completed": re.compile(_NOT + r"\b(afgerond|afgedaan|gestand gedaan|voltooid)\b", re.I),
    "in_progress": re.compile(
        _NOT + r"\b(in uitvoering|loopt nog|wordt\b.{0,40}\b(invulling gegeven|uitgevoerd))\b", re.I
    ),
    "delayed": re.compile(_NOT + r"\b(vertraagd|vertraging)\b", re.I),
    "stopped": re.compile(_NOT + r"\b(stopgezet|gestopt|geen (verdere )?stappen)\b", re.I),
    "not_started": re.compile(r"\bniet (gestart|begonnen)\b", re.I),
    "alternative": re.compile(r"\balternatieve invulling\b", re.I),
}
#: A clause that says a status is unknown does not say that status ("of ... als afgerond werd
#: gemeld, is onbekend").
_UNSURE = re.compile(r"\b(onbekend|niet bekend|niet geverifieerd|niet gevonden)\b", re.I)


def statuses_said(text: str) -> set[str]:
    """The statuses a Dutch text asserts, clause by clause; a clause that is unsure asserts none."""
    clauses = [part for part in re.split(r"[;.]\s", str(text)) if part.strip()]
    return {
        status
        for clause in clauses
        if not _UNSURE.search(clause)
        for status, pattern in SAYS.items()
        if pattern.search(clause)
    }


@dataclass(frozen=True)
class MisleadingLabel:
    """A year's status word that reads as another status: the code, its word, what the word reads as,
    and the items of that status whose own explanation says the status (``own``: their ids)."""

    status: str
    word: str
    reads: tuple[str, ...]
    own: tuple[str, ...]


def misleading_labels(labels: Mapping[str, str], rows: Iterable[tuple[str, str, str]] = ()) -> list[MisleadingLabel]:
    """The status words of a year (Dutch: the data's language) that read as another status
    ("wordt invulling gegeven aan" for completed reads as in progress), each with the items of
    that status whose explanation says otherwise; ``rows`` are (id, status, explanation). The one
    place of this judgement: ``check`` names it, the nota and the briefing advise on it."""
    rows = list(rows)
    found = []
    for code, word in labels.items():
        reads = statuses_said(word) - {code}
        if not reads:
            continue
        own = tuple(str(i) for i, status, text in rows if str(status) == code and code in statuses_said(str(text)))
        found.append(MisleadingLabel(code, word, tuple(sorted(reads)), own))
    return found
