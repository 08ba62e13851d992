"""The one rule for numbers written as text (data/README.md, "Getallen / Numbers").

A text cell may write a number the Dutch way (``1.234.567,5``: ``.`` groups thousands, ``,``
is the decimal separator) or the English way (``1,234,567.5``). Most texts can only be read
one way: ``2,5``, ``1.234.567`` and ``1.234,5`` are Dutch, ``10.9``, ``4,670,000`` and
``1,234.5`` English, ``2549000`` and ``1 234 567`` either. Only a text with a single ``.`` or
``,`` followed by exactly three digits, after one to three digits (``800,000``, ``24.000``,
``2.549``) is both: 800000 or 800, 24000 or 24, 2549 or 2.549. Such a text is read with the
convention the other cells show:

1. the other text cells of the same column, if the numbers there that can be read only one
   way are all Dutch or all English;
2. else the other number columns of the same file (sheet), in the same way;
3. else (no evidence, or both conventions) it is refused with both readings named.

In a column of whole numbers only the thousands reading is taken: ``24,000`` in a Dutch
file is not the whole number 24 written with three decimals, it is refused.
Numeric cells of a workbook carry no separators and are never read here: they are numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

NL, EN = "nl", "en"

_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
_SPACE = f"[{_SPACES}]"
#: sign, an optional euro sign, the digits with their separators, then € or % (both ignored)
_SHAPE = rf"^(?P<sign>[+\-\u2212]?)\s*€?\s*(?P<num>[0-9.,{_SPACES}]*[0-9][0-9.,{_SPACES}]*?)\s*[€%]?$"


def _grammar(group: str, decimal: str) -> str:
    """Digits, grouped by ``group`` (or spaces) in threes after 1-3 leading digits, with an
    optional ``decimal`` part; ``.5``/``,5`` without the leading 0 too. ASCII digits only."""
    g, d = re.escape(group), re.escape(decimal)
    whole = rf"(?:[0-9]+|[1-9][0-9]{{0,2}}(?:{g}[0-9]{{3}})+|[1-9][0-9]{{0,2}}(?:{_SPACE}[0-9]{{3}})+)"
    return rf"(?:{whole}(?:{d}[0-9]+)?|{d}[0-9]+)"


_DUTCH = _grammar(".", ",")
_ENGLISH = _grammar(",", ".")
#: the one shape that both conventions read, differently: 1-3 digits, one separator, 3 digits
_AMBIGUOUS = re.compile(r"(?P<whole>[1-9][0-9]{0,2})(?P<mark>[.,])(?P<fraction>[0-9]{3})")


@dataclass
class Parsed:
    """The readings of a text column: per distinct text its value under each convention."""

    codes: np.ndarray  # row -> distinct text (-1: missing)
    dutch: np.ndarray  # distinct text -> value read the Dutch way (NaN: not a Dutch number)
    english: np.ndarray
    index: pd.Index

    @property
    def kinds(self) -> np.ndarray:
        """Per distinct text: 'plain' (same either way), 'nl' or 'en' (only that way), 'both'
        (either way, different values) or 'bad' (no number)."""
        nl, en = ~np.isnan(self.dutch), ~np.isnan(self.english)
        same = nl & en & (self.dutch == self.english)
        return np.select([same, nl & en, nl, en], ["plain", "both", NL, EN], "bad")

    def evidence(self, rows: np.ndarray | None = None) -> set[str]:
        """The conventions that the texts (of ``rows``, a boolean mask) show unambiguously."""
        codes = self.codes if rows is None else self.codes[rows]
        used = np.unique(codes[codes >= 0])
        return set(self.kinds[used].tolist()) & {NL, EN}

    def values(self, convention: str | None, whole: bool) -> tuple[pd.Series, pd.Series]:
        """The numbers (NaN: no number or refused) and the mask of texts refused as ambiguous,
        read with ``convention`` (NL, EN or None) for the texts that could be either."""
        kinds = self.kinds
        value = np.where(kinds == EN, self.english, self.dutch)  # plain and nl: the Dutch reading
        both = kinds == "both"
        if convention is not None:
            # in a whole-number column only a thousands reading counts: the larger one
            chosen = self.dutch if convention == NL else self.english
            allowed = ~np.bool_(whole) | (np.fabs(chosen) == np.fmax(np.fabs(self.dutch), np.fabs(self.english)))
            value = np.where(both & allowed, chosen, value)
            both &= ~allowed
        value = np.where(both, np.nan, value)
        value, both = np.append(value, np.nan), np.append(both, False)  # code -1: a missing value
        return (
            pd.Series(value[self.codes], index=self.index, copy=False),
            pd.Series(both[self.codes], index=self.index, copy=False),
        )


def parse(text: pd.Series) -> Parsed:
    """Both readings of every distinct text of a stripped text column (each text parsed once)."""
    codes, uniques = pd.factorize(text)
    shape = pd.Series(uniques, dtype=object).astype("str").str.extract(_SHAPE)
    number, negative = shape["num"].str.strip(_SPACES), shape["sign"].isin(["-", "\u2212"]).to_numpy()

    def read(grammar: str, group: str, decimal: str) -> np.ndarray:
        ok = number.str.fullmatch(grammar).fillna(False).astype(bool)
        digits = number.str.replace(f"[{re.escape(group)}{_SPACES}]", "", regex=True).str.replace(
            decimal, ".", regex=False
        )
        values = pd.to_numeric(digits.where(ok), errors="coerce").to_numpy(dtype="float64")
        return np.where(negative, -values, values)

    return Parsed(codes, read(_DUTCH, ".", ","), read(_ENGLISH, ",", "."), text.index)


def convention(column: set[str], table: set[str]) -> str | None:
    """The convention for the ambiguous texts of a column, from its evidence and the table's."""
    if column:
        return next(iter(column)) if len(column) == 1 else None
    return next(iter(table)) if len(table) == 1 else None


def readings(text: str) -> dict[str, str] | None:
    """The two readings of an ambiguous text, for the message: '800,000' -> thousands 800000,
    whole 800, fraction '' (the decimal reading without its trailing zeros)."""
    shape = re.match(_SHAPE, text.strip())
    if not shape:
        return None
    found = _AMBIGUOUS.fullmatch(shape.group("num").strip(_SPACES))
    if not found:
        return None
    sign = "-" if shape.group("sign") in ("-", "\u2212") else ""
    return {
        "mark": found["mark"],
        "thousands": f"{sign}{found['whole']}{found['fraction']}",
        "whole": f"{sign}{found['whole']}",
        "fraction": found["fraction"].rstrip("0"),
    }


def percent_fractions(indicators: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Percentages that look typed as a fraction (0,109 for 10,9 %): below 1 while the same
    indicator's other measurements, times 100 the value, are of its size (within a factor 2);
    or every percentage of the table below 1. Returns the mask and the other measurements' lowest
    and highest value (NaN when the whole table is the evidence)."""
    percent = indicators["percent"].astype("float64")
    small = (percent > 0) & (percent < 1)
    if not small.any():
        return small, percent * np.nan, percent * np.nan
    keys = ["monitor", "indicator", "group"]
    others = percent.where(percent >= 1)
    grouped = others.groupby([indicators[k] for k in keys], sort=False, dropna=False)
    low, high = grouped.transform("min"), grouped.transform("max")
    scaled = percent * 100
    like_others = small & low.notna() & (scaled >= low / 2) & (scaled <= high * 2)
    everything = small.all() and len(percent) > 1
    return (small if everything else like_others), low, high
