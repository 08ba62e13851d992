"""The one formatter for numbers, percentages, euros and dates, in Dutch or English.

Every number a document, chart or table shows goes through :class:`Format`, so a share of
0,125 reads "13%" everywhere (rounded half up, never banker's rounding), Dutch text gets the
decimal comma and the thousands point, and dates read "1 december 2026", not "2026-12-01".
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from ..words import words

MINUS = "\u2212"  # a real minus sign, not a hyphen
NBSP = "\u00a0"  # between € and the amount, so they never part at a line end


def round_half_up(value: float, decimals: int = 0) -> Decimal:
    """``value`` rounded half away from zero at ``decimals`` places (2,5 -> 3; 0,125 -> 0,13)."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, NaT, pd.NA
    except TypeError:  # pd.NA compared
        return True


class Format:
    """Formatting in one language: ``Format('nl').percent(0.125) == '13%'``."""

    def __init__(self, language: str = "nl"):
        self.language = "en" if language == "en" else "nl"
        self.w = words(self.language)

    # ------------------------------------------------------------------ numbers
    def number(self, value, decimals: int = 0, sign: bool = False, strip: bool = False) -> str:
        """1.234.567,5 (nl) or 1,234,567.5 (en); ``sign`` adds '+' to positive values."""
        if is_missing(value):
            return ""
        d = round_half_up(value, decimals)
        text = f"{abs(d):,.{decimals}f}"
        if strip and "." in text:
            text = text.rstrip("0").rstrip(".")
        if self.language == "nl":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        if d < 0:
            return MINUS + text
        return ("+" + text) if sign and d > 0 else text

    def integer(self, value) -> str:
        return self.number(value, 0)

    def percent(self, share, decimals: int = 0) -> str:
        """A share (0-1) as a percentage: 0.125 -> '13%' ('12,5%' with one decimal)."""
        if is_missing(share):
            return ""
        return self.number(float(share) * 100, decimals) + "%"

    def percent_value(self, percent, decimals: int = 0) -> str:
        """A value already in percent (0-100): 57.0 -> '57%'."""
        if is_missing(percent):
            return ""
        decimals = decimals if not float(percent).is_integer() or decimals else 0
        return self.number(percent, decimals) + "%"

    def points(self, pp, decimals: int = 1, sign: bool = True) -> str:
        """A difference in percentage points: '+1,8 procentpunt' / '+1.8 percentage points'."""
        if is_missing(pp):
            return ""
        return f"{self.number(pp, decimals, sign=sign)} {self.w['unit.pp']}"

    def p_value(self, p) -> str:
        if is_missing(p):
            return ""
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3)

    # ------------------------------------------------------------------ money
    def euro(self, amount) -> str:
        """The whole amount: '€ 10.958.500' (nl) or '€10,958,500' (en)."""
        if is_missing(amount):
            return ""
        body = self.number(abs(amount), 0)
        sign = MINUS if amount < 0 else ""
        return f"{sign}€{NBSP}{body}" if self.language == "nl" else f"{sign}€{body}"

    def euro_short(self, amount, decimals: int = 1) -> str:
        """Short for charts: '€ 2,5 mln' / '€2.5m'; below a million the whole amount."""
        if is_missing(amount):
            return ""
        size = abs(amount)
        if size < 1e6:
            return self.euro(amount)
        unit, divisor = ("bn", 1e9) if size >= 1e9 else ("m", 1e6)
        body = self.number(abs(amount) / divisor, decimals, strip=True)
        suffix = self.w[f"unit.euro_{unit}"]
        sign = MINUS if amount < 0 else ""
        return f"{sign}€{NBSP}{body}{NBSP}{suffix}" if self.language == "nl" else f"{sign}€{body}{suffix}"

    # ------------------------------------------------------------------ dates
    def date(self, value) -> str:
        """'1 december 2026' / '1 December 2026'."""
        d = _as_date(value)
        if d is None:
            return ""
        return f"{d.day} {self.w['months'][d.month - 1]} {d.year}"

    def date_short(self, value, year: bool = True) -> str:
        """'1 dec 2026' / '1 Dec 2026' (charts, narrow columns)."""
        d = _as_date(value)
        if d is None:
            return ""
        text = f"{d.day} {self.w['months_short'][d.month - 1]}"
        return f"{text} {d.year}" if year else text

    def month(self, value) -> str:
        """A date known only to the month: 'december 2022'."""
        d = _as_date(value)
        if d is None:
            return ""
        return f"{self.w['months'][d.month - 1]} {d.year}"

    def period(self, start: int, end: int) -> str:
        """'2023 t/m 2025' / '2023–2025'; one year as itself."""
        if start == end:
            return str(start)
        return self.w("unit.period", start=start, end=end)


def _as_date(value) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


@cache
def fmt(language: str = "nl") -> Format:
    """The shared formatter of a language."""
    return Format(language)
