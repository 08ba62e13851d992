"""A report year and a date as the user writes them on the command line or in a notebook: checked
once here for every command (``run``, ``bijlage``, ``diff``, ``template --due`` ...) and for
:meth:`Programme.report_year`, so that '25', '2025.0' and 2025-02-30 are refused the same way
everywhere, never guessed."""

from __future__ import annotations

import datetime as dt

from ..errors import UsageError

#: Dates a document may carry.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def check_date(text, what: str = "--date") -> str:
    """A real calendar date as JJJJ-MM-DD within 2000-2100 (2025-02-30 and 2025-13-01 are refused)."""
    value = str(text).strip()
    try:
        if len(value) != 10 or not value.isascii():
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError("error.bad_date", value=value, what=what) from None
    if not EARLIEST <= day <= LATEST:
        raise UsageError("error.date_range", value=value, what=what)
    return day.isoformat()


def check_year(value) -> int:
    """A report year as the user wrote it: four ASCII digits (2025), never a guess at '25' or '2025.0'."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise UsageError("error.year_not_a_year", year=text)
    return int(text)
